"""The platform port: the core knows Slack, Discord and the console only through registered Platforms."""

from __future__ import annotations

import subprocess
import sys

import pytest

from briefings.deliver import platforms
from briefings.deliver.chat import split_target
from briefings.errors import ConfigError, InputError
from briefings.settings import Settings


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_the_core_alone_knows_no_platform_and_says_so_in_one_line():
    run = _python(
        "import sys\n"
        "from briefings.deliver import chat, digests, platforms, polling, scheduler, subscriptions\n"
        "from briefings.present.render import render\n"
        "from briefings.models import Briefing\n"
        "assert not [m for m in sys.modules if m == 'bots' or m.startswith('bots.')]\n"
        "print(render(Briefing(headline='H', source='s'), 'text').splitlines()[0])\n"
        "try:\n"
        "    platforms.get('slack')\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "H"
    assert lines[1] == (
        "ConfigError no platform 'slack' in this install; registered: none (is the bots package imported?)"
    )


def test_importing_bots_registers_every_adapter_without_loading_their_sdks():
    run = _python(
        "import sys, bots\n"
        "from briefings.deliver import platforms\n"
        "print(' '.join(p.name for p in platforms.registered()))\n"
        "print(' '.join(platforms.formats()))\n"
        "print(sorted(m for m in ('slack_bolt', 'slack_sdk', 'discord', 'aiohttp') if m in sys.modules))\n"
    )
    assert run.returncode == 0, run.stderr
    names, formats, sdks = run.stdout.splitlines()
    assert names.split()[:3] == ["console", "slack", "discord"]
    assert formats.split()[:4] == ["text", "markdown", "slack", "discord"]
    assert sdks == "[]"


def test_each_platform_reads_the_links_its_users_write():
    slack, discord, console = (platforms.get(n) for n in ("slack", "discord", "console"))
    assert slack.plain_links("<https://a.example/x|a label> and <https://b.example>") == (
        "https://a.example/x and https://b.example"
    )
    assert discord.plain_links("<https://a.example/x>") == "https://a.example/x"
    assert console.plain_links("see <https://a.example/x>") == "see https://a.example/x"


def test_targets_are_checked_by_their_platform():
    settings = Settings()
    assert platforms.parse_target("slack:C0123ABCD", settings) == ("slack", "C0123ABCD")
    with pytest.raises(InputError, match="Slack channel id"):
        platforms.parse_target("slack:general", settings)
    with pytest.raises(InputError, match="is not a target"):
        platforms.parse_target("teams:abc", settings)
    # Slack and Discord channels are never named from another chat.
    with pytest.raises(InputError, match="is not a target"):
        platforms.parse_target("slack:C0123ABCD", settings, remote=True)


def test_split_target_takes_only_a_trailing_to_platform_colon_name():
    assert split_target("https://f.example/feed daily 07:30 to webhook:ops") == (
        "https://f.example/feed daily 07:30",
        "webhook:ops",
    )
    assert split_target("https://f.example/feed daily 07:30") == ("https://f.example/feed daily 07:30", None)
    assert split_target("3 to webhook:ops") == ("3", "webhook:ops")


def test_unknown_format_and_platform_are_one_line_errors():
    with pytest.raises(ValueError, match="unknown format 'pdf'; expected one of text, markdown, slack"):
        platforms.render_message("x", "pdf")
    with pytest.raises(ConfigError, match="no platform 'pdf'"):
        platforms.get("pdf")
