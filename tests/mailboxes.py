"""Real receivers for notification tests: an SMTP server (aiosmtpd) and an HTTP endpoint for json:// posts.

Both listen on a free 127.0.0.1 port and keep what they received; nothing leaves the machine.
"""

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port() -> int:
    """A port nobody listens on: a connection is refused at once (no 4 s read timeout)."""
    return free_port()


@dataclass
class Mail:
    to: list[str]
    subject: str
    body: str


@dataclass
class Mailbox:
    port: int
    mails: list[Mail] = field(default_factory=list)

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=passage@example.org&to={to}&format=text"

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if address in m.to]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        part = parsed.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else ""
        self.box.mails.append(Mail(list(envelope.rcpt_tos), str(parsed["subject"]), body))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[Mailbox]:
    """An SMTP server keeping every mail it accepts (on `port`, to bring one back where it was)."""
    box = Mailbox(port=port or free_port())
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Hook:
    port: int
    posts: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"


@contextmanager
def hook_server(port: int | None = None) -> Iterator[Hook]:
    """A tiny HTTP endpoint that records every JSON body posted to it."""
    hook = Hook(port=port or free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            hook.posts.append({"path": self.path, **json.loads(self.rfile.read(length) or b"{}")})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", hook.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
