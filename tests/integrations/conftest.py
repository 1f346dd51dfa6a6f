"""A local webhook receiver: an http.server in a thread on 127.0.0.1 that records what it gets."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Receiver:
    """Answers each POST with the next code of ``codes`` (the last one repeats) and keeps them all."""

    port: int = 0
    codes: list[int] = field(default_factory=lambda: [200])
    headers: dict[str, str] = field(default_factory=dict)
    received: list[dict] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/refprogram"


@pytest.fixture
def receiver_factory():
    servers = []

    def make(codes=(200,), headers=None) -> Receiver:
        receiver = Receiver(codes=list(codes), headers=dict(headers or {}))

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                index = min(len(receiver.received), len(receiver.codes)) - 1
                self.send_response(receiver.codes[index])
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        receiver.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return receiver

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def private_targets(settings):
    """Deliveries may reach 127.0.0.1, as for a receiver inside the company network."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True


# The requests app's terse builders of an inventory and a request (reused, not copied).
from tests.requests_app.conftest import make_profile, make_request  # noqa: E402, F401
