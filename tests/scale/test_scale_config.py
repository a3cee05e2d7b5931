"""The broker settings and ``briefbot worker``'s command line; no Redis needed."""

from __future__ import annotations

import pytest

from bots.cli import main
from briefings.errors import ConfigError
from briefings.pipeline import Briefer
from briefings.settings import Settings


def test_no_broker_is_the_embedded_default(tmp_path):
    s = Settings.from_env({})
    assert s.broker_url is None


async def test_without_a_broker_bootstrap_builds_todays_in_process_services(tmp_path):
    from bots.bootstrap import bootstrap

    settings = Settings(data_dir=tmp_path)
    async with bootstrap(settings) as services:
        assert isinstance(services.briefer, Briefer)
        assert services.dispatcher is None


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "amqp://guest:guest@rabbit:5672//", "rediss://h/1"]
)
def test_redis_and_rabbitmq_broker_urls_are_accepted(url):
    assert Settings.from_env({"BRIEFBOT_BROKER_URL": url}).broker_url == url


def test_a_bad_broker_url_is_one_line_naming_the_variable():
    with pytest.raises(ConfigError, match=r"^BRIEFBOT_BROKER_URL must start with redis:// or amqp://"):
        Settings.from_env({"BRIEFBOT_BROKER_URL": "http://127.0.0.1:6379"})


def test_lanes():
    from briefings.deliver.workers import lane, result_backend

    s = Settings(giant_chars=1000)
    assert lane(500, "interactive", s) == "interactive"
    assert lane(500, "scheduled", s) == "scheduled"
    assert lane(1001, "interactive", s) == "giant"
    assert lane(1001, "scheduled", s) == "giant"
    assert result_backend("redis://h:1/0") == "redis://h:1/0"
    assert result_backend("amqp://h//") == "rpc://"


def test_worker_without_a_broker_says_so_in_one_line(capsys):
    assert main(["worker"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefbot: BRIEFBOT_BROKER_URL is not set") and err.count("\n") == 1


def test_worker_with_an_unknown_queue_says_so_in_one_line(capsys, monkeypatch):
    monkeypatch.setenv("BRIEFBOT_BROKER_URL", "redis://127.0.0.1:1/0")
    assert main(["worker", "--queues", "interactive,bulk"]) == 2
    err = capsys.readouterr().err
    assert (
        "--queues takes some of interactive,giant,scheduled,polling,delivery" in err and err.count("\n") == 1
    )


def test_send_rates_default_to_the_platforms_documented_limits_and_can_be_set():
    from bots.bootstrap import send_rates

    assert Settings.from_env({}).send_rates == {}
    assert send_rates(Settings()) == {"slack": 5.0, "discord": 45.0}
    s = Settings.from_env({"BRIEFBOT_SEND_RATES": "slack=100, discord=40.5"})
    assert send_rates(s) == {"slack": 100.0, "discord": 40.5}


@pytest.mark.parametrize("raw", ["slack", "slack=fast", "slack=0", "=5", "slack=5,,discord=45", "Slack=5"])
def test_a_bad_send_rate_is_one_line_naming_the_variable(raw):
    with pytest.raises(ConfigError, match=r"^BRIEFBOT_SEND_RATES must be platform=messages-per-second") as e:
        Settings.from_env({"BRIEFBOT_SEND_RATES": raw})
    assert "\n" not in str(e.value)


def test_a_send_rate_for_an_unknown_platform_is_one_line():
    from bots.bootstrap import send_rates

    with pytest.raises(ConfigError, match=r"^BRIEFBOT_SEND_RATES names no platform 'slak' \(platforms: "):
        send_rates(Settings.from_env({"BRIEFBOT_SEND_RATES": "slak=5"}))


def test_slack_rates_each_workspace_apart_discord_the_whole_bot():
    from briefings.deliver import platforms
    from briefings.deliver.delivery import ChannelRef
    from briefings.deliver.outbox import OutboxWorker

    scopes = {p.name: p.limits.rate_scope for p in platforms.registered()}
    worker = OutboxWorker(None, {}, None, rate_scopes=scopes)  # type: ignore[arg-type]
    assert worker.rate_bucket(ChannelRef("slack", "C1", "T1")) == "rate:slack:T1"
    assert worker.rate_bucket(ChannelRef("slack", "C2", "T2")) == "rate:slack:T2"
    assert worker.rate_bucket(ChannelRef("discord", "1", "9")) == "rate:discord"
