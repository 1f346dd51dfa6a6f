"""A local Slack Web API for the tests: an http.server in a thread on 127.0.0.1 that answers
``POST /api/<method>`` with the bodies Slack's documentation publishes (``slack_fixtures/``,
sources in its README) and keeps every call, so slack_sdk's ``WebClient`` runs for real and only
the far end is recorded. Signing helpers play Slack's side of the signed endpoints."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

FIXTURES = Path(__file__).parent / "slack_fixtures"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # the example secret of Slack's signing docs
BOT_TOKEN = "xoxb-test-token"
DEFAULT_ANSWERS = {
    "chat.postMessage": "chat.postMessage.json",
    "views.open": "views.open.json",
    "users.lookupByEmail": "users.lookupByEmail.json",
    "users.info": "users.info.json",
}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class FakeSlack:
    """``answers[method]``: a list of ``(status, body)`` answered in turn (the last repeats)."""

    port: int = 0
    answers: dict[str, list[tuple[int, object]]] = field(default_factory=dict)
    calls: list[dict] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def answer(self, method: str, *answers: tuple[int, object]) -> None:
        self.answers[method] = list(answers)

    def called(self, method: str) -> list[dict]:
        return [c for c in self.calls if c["method"] == method]

    def _next(self, method: str) -> tuple[int, object]:
        queue = self.answers.get(method)
        if not queue:
            return 200, fixture(DEFAULT_ANSWERS[method])
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture(name="slack")
def slack_fixture(settings):
    """A running fake Slack, with the settings pointing RefProgram at it."""
    fake = FakeSlack()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            parts = urlsplit(self.path)
            method = parts.path.rsplit("/", 1)[-1]
            if "json" in (self.headers.get("Content-Type") or ""):
                args = json.loads(raw or b"{}")
            else:
                args = dict(parse_qsl(raw.decode()))
            args.update(dict(parse_qsl(parts.query)))
            fake.calls.append({"method": method, "args": args, "headers": dict(self.headers)})
            status, body = fake._next(method)
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SLACK_API_URL = fake.url
    settings.SLACK_BOT_TOKEN = BOT_TOKEN
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    settings.SITE_URL = "https://refs.example.com"
    yield fake
    server.shutdown()
    server.server_close()


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    """The headers Slack sends: ``v0=`` HMAC-SHA256 of ``v0:<timestamp>:<body>``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(timestamp), "HTTP_X_SLACK_SIGNATURE": signature}
