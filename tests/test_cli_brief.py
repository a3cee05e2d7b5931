"""``briefbot brief`` (every format) and ``briefbot extract`` (the JSONL contract), run through bots.cli.main."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("briefings.extract.extractor", reason="the extractor is not built yet")

from bots.cli import main  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent / "render"))
from render_checks import check_discord, check_safe, check_slack  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "iran-ready-to-help-end-ukraine-war.txt"
STATEMENT_KEYS = {"speaker", "start", "end", "kind", "act", "cue", "content"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("briefbot: ")
    return lines[0]


@pytest.mark.parametrize("fmt", ["text", "markdown", "slack", "discord", "json"])
def test_brief_seed_in_every_format(capsys, fmt):
    code, out, err = run(capsys, "brief", str(SEED), "--format", fmt)
    assert code == 0, err
    assert "FM: Iran Ready to Help End Ukraine War" in out
    if fmt in ("slack", "discord", "json"):
        payload = json.loads(out)
        if fmt == "slack":
            check_slack(payload)
        elif fmt == "discord":
            check_discord(payload)
        else:
            assert payload["headline"] == "FM: Iran Ready to Help End Ukraine War"
            assert payload["total_statements"] == sum(payload["counts"].values())
        check_safe(payload, fmt if fmt != "json" else "text")
    else:
        assert "\x1b" not in out


def test_brief_seed_shows_the_acts_the_issue_names(capsys):
    """Issue 2, done when: three offers by Amir-Abdollahian, Kuleba's demand, Iran's denial, the accusation."""
    code, out, err = run(capsys, "brief", str(SEED), "--format", "json")
    assert code == 0, err
    b = json.loads(out)
    by_act: dict[str, list[tuple[str, str]]] = {}
    for x in b["bullets"]:
        by_act.setdefault(x["act"], []).append((x["speaker"], x["text"]))
    offers = [t for s, t in by_act.get("offer", []) if s == "Hussein Amir-Abdollahian"]
    assert any("joint session" in t for t in offers), by_act
    assert any("technical meetings" in t for t in offers), by_act
    assert any("ceasefire" in t for t in offers), by_act
    assert any(s == "Dmytro Kuleba" and "weapons" in t for s, t in by_act.get("demand", [])), by_act
    assert any(s == "Iran" for s, _ in by_act.get("denial", [])), by_act
    assert any("Ukrainian officials" in s for s, _ in by_act.get("accusation", [])), by_act


def test_brief_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SEED.read_bytes()), encoding="utf-8"))
    code, out, err = run(capsys, "brief", "-")
    assert code == 0, err
    assert out.startswith("FM: Iran Ready to Help End Ukraine War\n")


def _seed_page() -> bytes:
    """The seed article as a saved web page (what ``curl URL`` prints, or a browser's "Save as")."""
    title, *paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n") if p.strip()]
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>\n{body}</article></body></html>"
    ).encode()


def test_a_web_page_on_stdin_is_read_as_html(capsys, monkeypatch):
    """``curl URL | briefbot brief -`` said "does not look like English text": the markup was read as text."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(_seed_page()), encoding="utf-8"))
    code, out, err = run(capsys, "brief", "-")
    assert code == 0, err
    assert out.startswith("FM: Iran Ready to Help End Ukraine War\n")
    assert "pasted text" in out and "<p>" not in out and "OFFER" in out


@pytest.mark.parametrize("name", ["article.php", "article", "article.txt"])
def test_a_saved_web_page_without_an_html_suffix_is_read_as_html(capsys, tmp_path, name):
    path = _write(tmp_path, name, _seed_page())
    code, out, err = run(capsys, "brief", path)
    assert code == 0, err
    assert out.startswith("FM: Iran Ready to Help End Ukraine War\n") and "<p>" not in out


def test_max_bullets(capsys):
    code, out, _ = run(capsys, "brief", str(SEED), "-f", "json", "--max-bullets", "2")
    assert code == 0
    assert len(json.loads(out)["bullets"]) <= 2
    code, _, err = run(capsys, "brief", str(SEED), "--max-bullets", "99")
    assert code == 2 and "--max-bullets" in one_line_error(err)


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


BAD_INPUTS = [
    ("missing.txt", None, "no such file"),
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n \t\n", "empty"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ("latin1.txt", "Headline\nLe ministre a déclaré que la paix était proche.\n".encode("latin-1"), "UTF-8"),
    (
        "french.txt",
        "Le ministre prêt à aider\nLe ministre des Affaires étrangères a déclaré vendredi que son pays était "
        "prêt à aider les deux parties à conclure un cessez-le-feu, selon un communiqué publié à Téhéran.\n".encode(),
        "English",
    ),
]


@pytest.mark.parametrize("name, data, words", BAD_INPUTS)
@pytest.mark.parametrize("command", ["brief", "extract"])
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, name, data, words, command):
    path = str(tmp_path / name) if data is None else _write(tmp_path, name, data)
    code, out, err = run(capsys, command, path)
    assert code == 2
    assert out == ""
    assert words.lower() in one_line_error(err).lower()


def test_empty_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    code, out, err = run(capsys, "brief", "-")
    assert code == 2 and out == ""
    assert "empty" in one_line_error(err)


def test_extract_jsonl_contract(capsys, tmp_path):
    other = _write(
        tmp_path,
        "other.txt",
        b"Talks resume\nThe envoy said the talks would resume in Geneva next week, according to a statement.\n",
    )
    code, out, err = run(capsys, "extract", "--format", "jsonl", str(SEED), other)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    for line, source in zip(lines, [str(SEED), other], strict=True):
        obj = json.loads(line)
        assert {"source", "title", "entities", "statements"} <= set(obj)
        assert obj["source"] == source
        text = Path(source).read_text(encoding="utf-8")
        for st in obj["statements"]:
            assert set(st) >= STATEMENT_KEYS
            assert text[st["start"] : st["end"]] == st["content"]
            assert st["act"] in ("offer", "demand", "denial", "accusation", "statement")
            assert st["kind"] in ("direct", "indirect", "mixed")
    assert json.loads(lines[0])["title"] == "FM: Iran Ready to Help End Ukraine War"
    assert json.loads(lines[0])["statements"], "the seed has statements"


def test_extract_keeps_going_past_a_bad_file(capsys, tmp_path):
    code, out, err = run(capsys, "extract", str(tmp_path / "nope.txt"), str(SEED))
    assert code == 2
    assert len(out.splitlines()) == 1 and json.loads(out)["source"] == str(SEED)
    assert "no such file" in one_line_error(err)


def test_unbalanced_quotes_do_not_break_the_rest(capsys, tmp_path):
    text = (
        "Minister speaks on talks\n"
        "The minister opened with “a remark that never closes, and went on at length.\n"
        "Later, the minister said the ceasefire would hold through the winter.\n"
        "“We are ready to help both sides,” he said.\n"
    )
    path = _write(tmp_path, "unbalanced.txt", text.encode())
    code, out, err = run(capsys, "extract", path)
    assert code == 0, err
    contents = [st["content"] for st in json.loads(out)["statements"]]
    assert any("ceasefire would hold" in c for c in contents) or any(
        "ready to help" in c for c in contents
    ), contents
    code, out, err = run(capsys, "brief", path)
    assert code == 0, err
    assert out.startswith("Minister speaks on talks\n")


def test_one_megabyte_hostile_article_stays_within_slack_limits(capsys, tmp_path):
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    hostile = (
        "“@everyone <!channel> *read* [this](http://evil.example) <@U123>,” the spokesman said. "
        "The minister said that <!here|here> `code` was ready to help.\n"
    )
    chunk = body + hostile
    text = "Huge article @everyone <!channel>\n" + chunk * (1_000_000 // len(chunk) + 1)
    assert len(text.encode()) >= 1_000_000
    path = _write(tmp_path, "huge.txt", text.encode())
    code, out, err = run(capsys, "brief", path, "--format", "slack")
    assert code == 0, err
    payload = json.loads(out)
    check_slack(payload)
    check_safe(payload, "slack")


def test_console_script_output_has_no_colour_codes():
    exe = Path(sys.executable).with_name("briefbot")
    if not exe.exists():
        pytest.skip("briefbot console script is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    done = subprocess.run(
        [str(exe), "brief", str(SEED)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout
    assert done.stdout.startswith("FM: Iran Ready to Help End Ukraine War\n")


def test_other_url_schemes_get_a_clear_message(capsys):
    code, out, err = run(capsys, "brief", "ftp://example.com/article.txt")
    assert code == 2
    assert out == ""
    assert (
        err.strip()
        == "briefbot: ftp://example.com/article.txt: only http:// and https:// addresses can be briefed"
    )


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        # An http(s) address written wrong is checked as an address, not called another scheme.
        (["brief", "http://"], "briefbot: that is not a valid web address (it has no host name)"),
        (
            ["brief", "http://exa mple.com/news"],
            "briefbot: that is not a valid web address (it contains spaces or control characters)",
        ),
        # Another scheme is refused as such by every command, not reported as a missing file.
        (
            ["digest", "file:///etc/passwd"],
            "briefbot: file:///etc/passwd: only http:// and https:// addresses can be briefed",
        ),
        (
            ["extract", "file:///etc/passwd"],
            "briefbot: file:///etc/passwd: only http:// and https:// addresses can be briefed",
        ),
        # An address without its scheme is not a file either.
        (
            ["brief", "www.example.com/news/article"],
            "briefbot: www.example.com/news/article: no such file (a web address starts with https://)",
        ),
    ],
)
def test_addresses_written_wrong_get_the_line_that_says_so(capsys, argv, line):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.splitlines()[0] == line, err


@pytest.mark.parametrize(
    ("argv", "command", "extra"),
    [
        (["brief", "--bogus", str(SEED)], "brief", "--bogus"),
        (["brief", str(SEED), "extra"], "brief", "extra"),
        (["feeds", "export", "--bogus"], "feeds export", "--bogus"),
    ],
)
def test_an_unknown_option_is_reported_by_its_subcommand(capsys, argv, command, extra):
    """``briefbot brief --bogus FILE`` showed the top-level usage ("briefbot [-h] [--version] [-v] COMMAND")
    and "briefbot: error:", which says nothing of brief's own options."""
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: briefbot {command} "), err
    assert err.endswith(f"briefbot {command}: error: unrecognized arguments: {extra}\n"), err


def test_json_format_strips_c1_controls_and_bidi_overrides(capsys, tmp_path):
    """Issue 11: ``--format json`` passed C1 controls (\\x9b is a terminal CSI) and bidi overrides raw."""
    hostile = "\u009b31m\u202e\u2066"
    text = (
        f"Talks to resume{hostile} in Geneva\n"
        f"“We are ready to{hostile} help both sides reach a ceasefire in Geneva,” the foreign minister said.\n"
        "The minister said that talks with the delegations would resume next week.\n"
    )
    path = _write(tmp_path, "hostile.txt", text.encode())
    code, out, err = run(capsys, "brief", path, "--format", "json")
    assert code == 0, err
    assert not any(
        "\u0080" <= ch <= "\u009f" or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        for ch in out
    )
    payload = json.loads(out)
    assert payload["headline"] == "Talks to resume31m in Geneva"
    assert any("ready to31m help both sides" in b["text"] for b in payload["bullets"]), payload["bullets"]
