"""The console adapter: a chat on the terminal that shows exactly what a channel would receive, and the
console Deliverer that prints scheduled digests there."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import threading
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from briefings.deliver.chat import Reply, chat_help
from briefings.deliver.delivery import ChannelRef, Deliverer
from briefings.deliver.platforms import Limits, TemplateRenderer, angle_links
from briefings.errors import InputError
from briefings.present.render import render
from briefings.settings import Settings

CHANNEL = ChannelRef("console", "terminal")
CONSOLE_ONLY = """
Console only:
/advance <N>s|m|h|d  -  move the clock ahead (watch a morning digest fire)
/time  -  the clock's time
quit  -  leave"""
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd]?)$")
_UNITS = {"s": 1, "": 60, "m": 60, "h": 3600, "d": 86400}


class ConsoleDeliverer:
    """Prints payloads (text renderings) to the terminal; remembers keys so a retry never prints twice."""

    platform = "console"

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._sent: dict[str, str] = {}

    async def send(self, channel: ChannelRef, payload: Any, *, idempotency_key: str) -> str:
        text = payload if isinstance(payload, str) else str(payload.get("text") or payload)
        self.out.write(f"\n── to {channel} ──\n{text.rstrip()}\n")
        self.out.flush()
        message_id = f"console-{len(self._sent) + 1}"
        self._sent[idempotency_key] = message_id
        return message_id

    async def already_sent(self, channel: ChannelRef, idempotency_key: str) -> str | None:
        # Only this process's history: a crash between print and record may print twice (at least once).
        return self._sent.get(idempotency_key)


class ConsolePlatform:
    """The terminal as a platform: the text templates, printed to standard output."""

    name = "console"
    format = "text"
    settings: tuple[str, ...] = ()
    renderer = TemplateRenderer("text")
    limits = Limits()
    remote_target = False

    def plain_links(self, text: str) -> str:
        return angle_links(text)

    def configured(self, settings: Settings) -> bool:
        return False  # ``briefbot run`` adds the console's deliverer itself when the console is on

    def check_target(self, channel: str, settings: Settings) -> str:
        if channel not in ("", "stdout", "terminal"):
            raise InputError(f"the console has no channel {channel[:40]!r}; use console")
        return channel or "stdout"

    def deliverer(self, settings: Settings) -> contextlib.AbstractAsyncContextManager[Deliverer]:
        return contextlib.nullcontext(ConsoleDeliverer(sys.stdout))


PLATFORM = ConsolePlatform()


def console_help() -> str:
    return chat_help() + CONSOLE_ONLY


def reply_text(reply: Reply) -> str:
    """A chat Reply as the console shows it (the text templates)."""
    if reply.kind == "briefing" and reply.briefing is not None:
        return str(render(reply.briefing, "text"))
    if reply.kind in ("modal", "help"):
        return console_help()
    text = ("error: " if reply.error else "") + reply.text
    if reply.code:
        text += "\n" + reply.code.rstrip("\n")
    return text


def parse_duration(text: str) -> timedelta:
    if not text.strip():
        raise ValueError("/advance needs a duration, e.g. 90s, 10m, 2h, 1d")
    m = _DURATION.match(text.strip().lower())
    if not m:
        raise ValueError(f"{text!r} is not a duration; use e.g. 90s, 10m, 2h, 1d")
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])


class Console:
    """Reads lines, answers ``/brief ...`` through the shared ChatCommands, and steps the scheduler."""

    def __init__(
        self, services: Any, *, out: TextIO, advance: Callable[[timedelta], None] | None = None
    ) -> None:
        self.services = services
        self.out = out
        self.advance = advance

    def say(self, text: str) -> None:
        self.out.write(text.rstrip("\n") + "\n")
        self.out.flush()

    async def handle_line(self, line: str) -> bool:
        """Answer one line; False when the user asked to leave."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        word = word.lower()
        if word in ("quit", "exit", "/quit", "/exit"):
            return False
        if word == "/time":
            self.say(self._time())
            return True
        if word == "/advance":
            if self.advance is None:
                self.say("error: the clock cannot be moved in this mode")
                return True
            try:
                delta = parse_duration(rest)
            except ValueError as exc:
                self.say(f"error: {exc}")
                return True
            self.advance(delta)
            self.say(f"(clock moved ahead {delta}; now {self._time()})")
            await self.services.step()
            return True
        if word == "/help":
            self.say(console_help())
            return True
        if word != "/brief":
            self.say("Type /brief <file, URL or text>, /brief help, or quit.")
            return True
        reply = await self.services.chat.handle(rest, channel=CHANNEL, user="console", can_manage=True)
        self.say(reply_text(reply))
        # Subscribing with a backfill or taking a digest may have queued messages: show them now.
        await self.services.outbox.run_once()
        return True

    def _time(self) -> str:
        tz = ZoneInfo(self.services.settings.default_timezone)
        return f"{self.services.clock.now().astimezone(tz):%a %d %b %Y %H:%M:%S %Z}"

    async def run(self, lines: AsyncIterator[str]) -> None:
        async for line in lines:
            if not await self.handle_line(line):
                break


async def stdin_lines(stream: TextIO | None = None, *, prompt: bool | None = None) -> AsyncIterator[str]:
    """Lines of standard input, read on a daemon thread so the scheduler keeps running meanwhile and
    Ctrl-C never waits for Enter; works when stdin is not a tty (tests, pipes)."""
    stream = stream or sys.stdin
    interactive = stream.isatty() if prompt is None else prompt
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()
    want = threading.Event()

    def reader() -> None:
        while True:
            want.wait()
            want.clear()
            try:
                line = stream.readline()
            except (OSError, ValueError):
                line = ""
            loop.call_soon_threadsafe(queue.put_nowait, line)
            if not line:
                return

    threading.Thread(target=reader, name="briefbot-stdin", daemon=True).start()
    while True:
        if interactive:
            sys.stdout.write("> ")
            sys.stdout.flush()
        want.set()  # one line at a time: the prompt follows the previous answer
        line = await queue.get()
        if not line:
            return
        yield line
