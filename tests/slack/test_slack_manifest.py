"""The app manifest users paste matches what the code listens for and asks for."""

from __future__ import annotations

import re
from importlib import resources

from bots.slack_app.app import BOT_SCOPES
from bots.slack_app.handlers import COMMAND, SHORTCUT_ID
from bots.slack_app.modal import CALLBACK_ID, ModalTarget, brief_modal


def _manifest() -> str:
    return resources.files("bots.slack_app").joinpath("manifest.yaml").read_text("utf-8")


def test_manifest_declares_the_command_shortcut_and_socket_mode():
    text = _manifest()
    assert re.search(rf"^\s+- command: {re.escape(COMMAND)}$", text, re.M)
    assert re.search(rf"^\s+callback_id: {SHORTCUT_ID}$", text, re.M)
    assert re.search(r"^\s+type: message$", text, re.M)
    assert re.search(r"^\s+socket_mode_enabled: true$", text, re.M)
    assert re.search(r"interactivity:\n\s+is_enabled: true", text)
    assert re.search(r"should_escape: false", text)


def test_manifest_scopes_are_the_ones_the_oauth_flow_asks_for():
    block = re.search(r"^\s+bot:\n((?:\s+- \S+\n)+)", _manifest(), re.M).group(1)
    assert set(re.findall(r"- (\S+)", block)) == set(BOT_SCOPES)


def test_modal_view_is_valid_block_kit():
    view = brief_modal(ModalTarget("C1", "T1"))
    assert view["callback_id"] == CALLBACK_ID and len(view["title"]["text"]) <= 24
    assert len(view["blocks"]) <= 100 and len(view["private_metadata"]) <= 3000
    block_ids = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert len(block_ids) == len(set(block_ids)) and block_ids[0] == "article_0"


def test_manifest_asks_for_no_unused_scope_and_subscribes_to_uninstall_events():
    """Issue 11: im:write was never used (DM replies go to the user id with chat:write); the uninstall and
    token-revocation events reach the app; the comment counts the url lines right."""
    text = _manifest()
    assert not re.search(r"^\s+- im:write$", text, re.M) and "im:write" not in BOT_SCOPES
    events = re.search(r"bot_events:.*?\n((?:\s+- \S+\n)+)", text).group(1)
    assert set(re.findall(r"- (\S+)", events)) == {"app_uninstalled", "tokens_revoked"}
    url_lines = re.findall(
        r"^\s*#\s*(?:url|request_url): https://briefbot\.example\.com/slack/events$", text, re.M
    )
    assert len(url_lines) == 3 and "uncomment the three lines holding" in text
    redirect = re.findall(
        r"^\s*#\s*(?:redirect_urls:|- https://briefbot\.example\.com/slack/oauth_redirect)$", text, re.M
    )
    assert len(redirect) == 2 and "the two redirect_urls lines" in text
