"""Distribution: the OAuth install at /slack/install, the callback, and the stored token used afterwards."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from aiohttp import web
from slack_loopback import command_form, form_body, signed_headers

from bots.slack_app.app import BOT_SCOPES, build_app, make_client
from bots.slack_app.config import slack_settings as slack_config
from bots.slack_app.installations import open_installations
from bots.slack_app.serve import build_web_app


@pytest.fixture
async def oauth_app(settings, slack_services, db_url):
    slack_config(settings).bot_token = None
    slack_config(settings).client_id, slack_config(settings).client_secret = "111.222", "client-secret"
    settings.database_url = db_url
    installations = await open_installations(settings)
    bolt = build_app(
        settings,
        slack_services,
        client=make_client(settings),
        installation_store=installations.installation_store,
        state_store=installations.state_store,
    )
    runner = web.AppRunner(build_web_app(bolt), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as http:
        yield f"http://127.0.0.1:{port}", http, installations
    await runner.cleanup()
    await installations.close()


async def test_install_then_commands_use_the_installed_token(oauth_app, slack):
    base, http, installations = oauth_app
    async with http.get(f"{base}/slack/install") as response:
        assert response.status == 200
        page = await response.text()
        cookie = response.headers["Set-Cookie"].split(";")[0]
    authorize = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page).group(1)
    query = parse_qs(urlparse(authorize.replace("&amp;", "&")).query)
    assert query["client_id"] == ["111.222"]
    assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
    state = query["state"][0]

    # Slack sends the browser back with a code; bolt exchanges it (oauth.v2.access on loopback) and stores it
    async with http.get(
        f"{base}/slack/oauth_redirect", params={"code": "c0de", "state": state}, headers={"Cookie": cookie}
    ) as response:
        assert response.status == 200, await response.text()
    (exchange,) = slack.calls_to("oauth.v2.access")
    assert exchange.params["code"] == "c0de"
    bot = await installations.installation_store.async_find_bot(enterprise_id=None, team_id="T0OTHER")
    assert bot is not None and bot.bot_token == "xoxb-installed-token"

    # a command from that workspace is answered with that workspace's token
    body = form_body(command_form("", response_url=slack.response_url(), team_id="T0OTHER"))
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    async with http.post(f"{base}/slack/events", data=body.encode(), headers=headers) as response:
        assert response.status == 200
    (opened,) = await slack.wait_calls("views.open")
    assert opened.token == "xoxb-installed-token"


async def test_callback_with_a_forged_state_installs_nothing(oauth_app, slack):
    base, http, installations = oauth_app
    async with http.get(
        f"{base}/slack/oauth_redirect", params={"code": "c0de", "state": "forged"}
    ) as response:
        assert response.status >= 400
    assert not slack.calls_to("oauth.v2.access")
    assert (
        await installations.installation_store.async_find_bot(enterprise_id=None, team_id="T0OTHER") is None
    )


async def test_command_from_a_workspace_that_never_installed_is_refused(oauth_app, slack):
    base, http, _ = oauth_app
    body = form_body(command_form("help", response_url=slack.response_url(), team_id="T0STRANGER"))
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    async with http.post(f"{base}/slack/events", data=body.encode(), headers=headers) as response:
        assert response.status == 200
    # bolt tells the user through the response_url that the app is not installed; nothing else happens
    await slack.wait_for(lambda s: s.responses)
    assert "reinstall this app" in slack.responses[0].body["text"]
    assert not slack.calls_to("chat.postMessage") and not slack.calls_to("views.open")
    assert not slack.calls_to("oauth.v2.access")


async def _install(installations, team_id: str) -> None:
    from slack_sdk.oauth.installation_store import Installation

    await installations.installation_store.async_save(
        Installation(
            app_id="A0BRIEF",
            team_id=team_id,
            user_id="U0INSTALLER",
            bot_token=f"xoxb-{team_id.lower()}",
            bot_id="B0BOT",
            bot_user_id="U0BOT",
            bot_scopes=list(BOT_SCOPES),
            installed_at=1_700_000_000.0,
        )
    )


async def _send_event(http, base: str, team_id: str, event: dict) -> int:
    import json
    import time

    body = json.dumps(
        {
            "token": "legacy",
            "team_id": team_id,
            "api_app_id": "A0BRIEF",
            "type": "event_callback",
            "event_id": f"Ev{event['type']}",
            "event_time": int(time.time()),
            "event": event,
        }
    )
    headers = signed_headers(body, content_type="application/json")
    async with http.post(f"{base}/slack/events", data=body.encode(), headers=headers) as response:
        return response.status


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": ["U0INSTALLER"], "bot": ["U0BOT"]}},
    ],
    ids=["app_uninstalled", "tokens_revoked"],
)
async def test_uninstall_or_revoked_tokens_delete_the_workspace_installation(oauth_app, slack, event):
    """Issue 11: a workspace that uninstalls briefbot (or revokes its tokens) leaves no token in our store;
    another workspace's installation stays."""
    base, http, installations = oauth_app
    store = installations.installation_store
    await _install(installations, "T0GONE")
    await _install(installations, "T0STAYS")
    assert await store.async_find_bot(enterprise_id=None, team_id="T0GONE") is not None

    assert await _send_event(http, base, "T0GONE", event) == 200

    assert await store.async_find_bot(enterprise_id=None, team_id="T0GONE") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T0GONE") is None
    kept = await store.async_find_bot(enterprise_id=None, team_id="T0STAYS")
    assert kept is not None and kept.bot_token == "xoxb-t0stays"
    assert not slack.calls_to("chat.postMessage")


async def test_a_forged_uninstall_event_deletes_nothing(oauth_app, slack):
    base, http, installations = oauth_app
    await _install(installations, "T0VICTIM")
    body = '{"type": "event_callback", "team_id": "T0VICTIM", "event": {"type": "app_uninstalled"}}'
    headers = signed_headers(body, secret="not-the-signing-secret", content_type="application/json")
    async with http.post(f"{base}/slack/events", data=body.encode(), headers=headers) as response:
        assert response.status == 401
    assert await installations.installation_store.async_find_bot(enterprise_id=None, team_id="T0VICTIM")


async def _instance(settings, slack_services):
    """One Slack frontend replica: its own engine and stores on the shared database, its own port."""
    installations = await open_installations(settings)
    bolt = build_app(
        settings,
        slack_services,
        client=make_client(settings),
        installation_store=installations.installation_store,
        state_store=installations.state_store,
    )
    runner = web.AppRunner(build_web_app(bolt), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return f"http://127.0.0.1:{port}", runner, installations


async def test_two_replicas_share_installations_install_through_one_serve_through_the_other(
    settings, slack_services, db_url, slack
):
    """N replicas behind a load balancer: no local state. The OAuth state is issued by replica A, the
    browser comes back to replica B, and a signed command from the new workspace reaches replica B
    again (or A): all through the tables Alembic made in the one shared database."""
    slack_config(settings).bot_token = None
    slack_config(settings).client_id, slack_config(settings).client_secret = "111.222", "client-secret"
    settings.database_url = db_url
    a_url, a_runner, a_inst = await _instance(settings, slack_services)
    b_url, b_runner, b_inst = await _instance(settings, slack_services)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{a_url}/slack/install") as response:
                page = await response.text()
                cookie = response.headers["Set-Cookie"].split(";")[0]
            authorize = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page).group(1)
            state = parse_qs(urlparse(authorize.replace("&amp;", "&")).query)["state"][0]
            async with http.get(
                f"{b_url}/slack/oauth_redirect",
                params={"code": "c0de", "state": state},
                headers={"Cookie": cookie},
            ) as response:
                assert response.status == 200, await response.text()
            bot = await a_inst.installation_store.async_find_bot(enterprise_id=None, team_id="T0OTHER")
            assert bot is not None and bot.bot_token == "xoxb-installed-token"  # A sees B's install
            body = form_body(command_form("", response_url=slack.response_url(), team_id="T0OTHER"))
            headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
            async with http.post(f"{a_url}/slack/events", data=body.encode(), headers=headers) as response:
                assert response.status == 200
            (opened,) = await slack.wait_calls("views.open")
            assert opened.token == "xoxb-installed-token"
    finally:
        for runner, inst in ((a_runner, a_inst), (b_runner, b_inst)):
            await runner.cleanup()
            await inst.close()


async def test_the_oauth_tables_are_alembics_and_match_slack_sdk(db_url):
    """Migrated tables = the columns slack_sdk's stores read and write (and no create_tables at start)."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
    from sqlalchemy import MetaData, inspect

    from briefings.store import open_store

    expected = MetaData()
    SQLAlchemyInstallationStore.build_bots_table(expected, "slack_bots")
    SQLAlchemyInstallationStore.build_installations_table(expected, "slack_installations")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(expected, "slack_oauth_states")
    async with open_store(db_url) as store, store.engine.connect() as conn:
        found = await conn.run_sync(
            lambda c: {t: {col["name"] for col in inspect(c).get_columns(t)} for t in expected.tables}
        )
    assert found == {name: {c.name for c in table.columns} for name, table in expected.tables.items()}
