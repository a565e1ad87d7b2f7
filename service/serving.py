"""Running the ASGI app under uvicorn for `claimcheck serve` and `claimcheck demo`: a busy port is a clear
message before anything starts, and "ready" is printed only once the socket is bound."""

from __future__ import annotations

import contextlib
import errno
import socket
import sys
from collections.abc import Callable
from typing import Any

import uvicorn

APP = "service.main:app"


class PortInUse(Exception):
    """Another process listens on the port we were asked to serve on."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            f"port {port} on {host} is already in use (another claimcheck or another program listens "
            "there). Stop it, or start on another port: PORT=8001 make run (or claimcheck serve --port 8001)."
        )


def check_port(host: str, port: int) -> None:
    """PortInUse when (host, port) cannot be bound; the probe socket is closed again at once."""
    if port == 0:
        return
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as probe:
        # As uvicorn binds: SO_REUSEADDR, so a socket in TIME_WAIT does not count as busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(host, port) from exc
            raise


class _ReadyServer(uvicorn.Server):
    """A uvicorn server that calls `on_ready(port)` after its socket is bound and the app started."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[int], None]) -> None:
        super().__init__(config)
        self.on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            bound = self.servers[0].sockets[0].getsockname()[1] if self.servers else self.config.port
            self.on_ready(int(bound))


def run(*, host: str, port: int, workers: int, on_ready: Callable[[int], None], **options: Any) -> None:
    """Serve until interrupted. With several workers uvicorn's supervisor binds the socket; `on_ready` is
    then called once it is bound, before the workers have started (they answer /readyz when they have)."""
    check_port(host, port)
    if workers > 1:
        config = uvicorn.Config(APP, host=host, port=port, workers=workers, **options)
        from uvicorn.supervisors import Multiprocess

        sock = config.bind_socket()
        on_ready(port)
        with contextlib.suppress(KeyboardInterrupt):
            Multiprocess(config, sockets=[sock]).run()
        return
    server = _ReadyServer(uvicorn.Config(APP, host=host, port=port, **options), on_ready)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(1)
