"""Stand-ins for the outside world in tests: a real SMTP server (aiosmtpd) and a local HTTP server playing the
WeCom and DingTalk robots and an SMS gateway. The DingTalk stand-in checks the request's signature as DingTalk
does; either may be taken "down" to answer with errors."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from engine.core.clock import FakeClock

DINGTALK_SECRET = "SECtest-secret"
SMTP_LOGIN = ("duban", "smtp-pass")
SMS_TOKEN = "sms-token"


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    down: bool = False
    #: seconds the server takes over each message
    delay: float = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        if self.down:
            return "451 try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    given = (data.login.decode(), data.password.decode()) if isinstance(data, LoginPassword) else None
    return AuthResult(success=given == SMTP_LOGIN, handled=False)  # not handled: the server answers 535 itself


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A server that wants the login SMTP_LOGIN (over a plain connection: the test has no certificate)."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=check_login, auth_required=True,
                            auth_require_tls=False)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@contextmanager
def smtp_tls_server(security: str, certificate: ssl.SSLContext) -> Iterator[tuple[Mailbox, int]]:
    """A server that wants the login SMTP_LOGIN over TLS only: implicit TLS ("ssl") or STARTTLS required before
    anything else ("starttls"), with the server certificate of the context given."""
    mailbox = Mailbox()
    port = free_port()
    # on an implicit TLS connection aiosmtpd does not know it is encrypted: it offers AUTH only when told that
    # TLS is not required (the connection cannot be anything else)
    tls = {"ssl_context": certificate, "auth_require_tls": False} if security == "ssl" else {
        "tls_context": certificate, "require_starttls": True, "auth_require_tls": True}
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=check_login, auth_required=True,
                            **tls)  # type: ignore[arg-type]
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Gateway:
    """What the robots and the SMS gateway received: (path, JSON body), and when by the fake clock if it has one
    (each post then takes `post_seconds` of it)."""

    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    clock: FakeClock | None = None
    post_seconds: float = 0
    times: list[tuple[str, datetime]] = field(default_factory=list)

    def take(self, path: str, body: dict[str, Any]) -> None:
        with self.lock:
            self.received.append((path, body))
            if self.clock is not None:
                self.times.append((path, self.clock.now()))
                self.clock.advance(seconds=self.post_seconds)

    def bodies(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [body for where, body in self.received if where == path]


def dingtalk_signature_ok(query: dict[str, list[str]]) -> bool:
    timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
    digest = hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256).digest()
    return bool(timestamp) and sign == base64.b64encode(digest).decode()  # parse_qs has url-decoded it


def handler_for(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urlsplit(self.path)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if gateway.down:
                return self.answer(503, {})
            if url.path == "/dingtalk" and not dingtalk_signature_ok(parse_qs(url.query)):
                return self.answer(200, {"errcode": 310000, "errmsg": "sign not match"})
            if url.path == "/sms" and self.headers.get("Authorization") != f"Bearer {SMS_TOKEN}":
                return self.answer(401, {})
            gateway.take(url.path, body)
            return self.answer(200, {"errcode": 0, "errmsg": "ok"})

        def answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def http_gateway() -> Iterator[tuple[Gateway, str]]:
    gateway = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(gateway))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
