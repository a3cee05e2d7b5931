"""A real HTTP server on 127.0.0.x for the ingest tests: aiohttp in its own thread, recording every request.

It runs in a thread with its own event loop so that synchronous callers
(``bots.cli.main`` runs ``asyncio.run``) and async tests can both use it.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class LoopbackServer:
    """Serves handlers registered per path; anything else is a 404. ``requests`` records every request."""

    host: str = "127.0.0.1"
    handlers: dict[str, Handler] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    port: int = 0
    ssl_context: ssl.SSLContext | None = None  # serve HTTPS with this context
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None

    def url(self, path: str = "/") -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{self.host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        self.handlers[path] = handler
        return self.url(path)

    def page(
        self, path: str, body: bytes | str, *, content_type: str = "text/html; charset=utf-8", **headers: str
    ) -> str:
        """Serve fixed bytes at ``path``; return its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body

        async def handler(request: web.Request) -> web.Response:
            return web.Response(body=data, headers={"Content-Type": content_type, **headers})

        return self.route(path, handler)

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Seen(request.method, request.path, dict(request.headers)))
        handler = self.handlers.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not here")
        return await handler(request)

    def start(self) -> LoopbackServer:
        ready = threading.Event()
        failure: list[BaseException] = []

        async def serve() -> None:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self._dispatch)
            # No access log: tests read ``requests`` instead.
            self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self.ssl_context)
            await site.start()
            self.port = self._runner.addresses[0][1]

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(serve())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup() if self._runner else asyncio.sleep(0))
            self._loop.close()

        self._thread = threading.Thread(target=run, name=f"loopback-{self.host}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


def resolver_for(table: dict[str, list[str]], calls: list[str] | None = None):
    """A resolver that answers from ``table`` (unknown names fail like NXDOMAIN) and logs each lookup."""

    async def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise OSError(-2, "Name or service not known")
        return table[host]

    return resolve
