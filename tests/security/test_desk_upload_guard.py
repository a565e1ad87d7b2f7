"""Finding 4: a desk upload is refused before its body is read when the session or its CSRF token is
missing, so an unauthenticated 20 MB multipart costs the server nothing (tested through uvicorn, where
an answer that arrives while the client is still holding back the body proves the body was not read)."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_KEY
from tests.reliability.conftest import Server
from tests.ui.helpers import csrf_of

BOUNDARY = "----claimcheck-probe"
TWENTY_MB = 20 * 1024 * 1024


def _answer_before_the_body(server: Server, path: str, cookie: str = "") -> bytes:
    """Announce a 20 MB multipart, send 64 KB of it, and read what the server says meanwhile."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {TWENTY_MB}\r\n"
        f"{cookie}Connection: close\r\n\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\ntext\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head + b"x" * 65_536)
        try:
            return connection.recv(4096)  # the rest of the 20 MB is never sent
        except TimeoutError:
            return b""


@pytest.mark.slow
def test_uploads_without_a_session_or_csrf_token_are_refused_unread(tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path / 'upload.db'}", tmp_path / "server.log")
    server.start()
    try:
        anonymous = _answer_before_the_body(server, "/ui/imports")
        assert anonymous.startswith(b"HTTP/1.1 303") and b"location: /ui?next=" in anonymous.lower()

        with httpx.Client(base_url=server.base_url) as browser:
            form = browser.get("/ui")
            browser.post("/ui/sign-in", data={"api_key": ADMIN_KEY, "csrf_token": csrf_of(form.text)})
            cookie = f"Cookie: cc_ui_session={browser.cookies['cc_ui_session']}\r\n"
        without_token = _answer_before_the_body(server, "/ui/imports", cookie)
        assert without_token.startswith(b"HTTP/1.1 403")
        forged_token = _answer_before_the_body(server, "/ui/imports?csrf_token=forged", cookie)
        assert forged_token.startswith(b"HTTP/1.1 403")
    finally:
        server.stop()
