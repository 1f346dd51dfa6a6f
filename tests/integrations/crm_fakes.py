"""Local fake CRMs for the sync and write-back tests: http.server in a thread on 127.0.0.1.

``FakeSalesforce`` speaks HTTPS (simple-salesforce only builds ``https://`` URLs) with a
self-signed certificate made here, trusted through ``REQUESTS_CA_BUNDLE``; ``FakeHubSpot`` speaks
HTTP (hubspot-api-client takes any host). Both answer with the envelopes recorded in
``crm_fixtures/`` (each with its documentation source) around records kept in memory, filtered
the way the vendor's API filters them, so the client libraries, the HTTP and the mapping are real.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import json
import re
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

FIXTURES = Path(__file__).parent / "crm_fixtures"


def fixture_body(name: str):
    """The recorded body of ``crm_fixtures/<name>.json`` (a fresh copy)."""
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text())["body"])


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "fake-crm.pem", tmp_path / "fake-crm.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Fake:
    """Common plumbing: a threaded server, the requests it got, scripted status codes per route."""

    def __init__(self):
        self.requests: list[dict] = []
        self.codes: dict[str, list[int]] = {}  # route → codes to answer with, first used first
        self.server: ThreadingHTTPServer | None = None

    def next_code(self, route: str, default: int) -> int:
        queue = self.codes.get(route)
        return queue.pop(0) if queue else default

    def start(self, ssl_context=None) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length", 0) or 0)
                raw = self.rfile.read(length) if length else b""
                entry = {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": raw,
                }
                fake.requests.append(entry)
                status, body = fake.answer(self.command, self.path, raw, self.headers)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _handle  # noqa: N815 (http.server's names)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeSalesforce(_Fake):
    """Token endpoint, ``queryAll`` over Account / Contact / Opportunity, Task creation."""

    def __init__(self):
        super().__init__()
        self.records = fixture_body("salesforce/records")  # {"Account": [...], ...}
        self.tasks: list[dict] = []

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def record(self, sobject: str, crm_id: str) -> dict:
        return next(r for r in self.records[sobject] if r["Id"] == crm_id)

    def touch(self, sobject: str, crm_id: str, stamp: str, **values) -> None:
        """Change a record as a user would in Salesforce (its SystemModstamp moves on)."""
        record = self.record(sobject, crm_id)
        record.update(values)
        record["SystemModstamp"] = stamp

    def answer(self, method, path, raw, headers):
        parts = urlsplit(path)
        if parts.path == "/services/oauth2/token":
            body = fixture_body("salesforce/token")
            body["instance_url"] = self.url
            return 200, body
        if not headers.get("Authorization", "").startswith("Bearer "):
            return 401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
        if re.fullmatch(r"/services/data/v[\d.]+/queryAll/?", parts.path):
            soql = parse_qs(parts.query)["q"][0]
            sobject = re.search(r"\bFROM (\w+)", soql).group(1)
            since = re.search(r"SystemModstamp >= (\S+)", soql)
            rows = self.records[sobject]
            if since:
                cutoff = dt.datetime.fromisoformat(since.group(1).replace("Z", "+00:00"))
                rows = [r for r in rows if _sf_time(r["SystemModstamp"]) >= cutoff]
            rows = sorted(rows, key=lambda r: r["SystemModstamp"])
            body = fixture_body("salesforce/query_all")
            body.update(totalSize=len(rows), done=True, records=copy.deepcopy(rows))
            return 200, body
        if re.fullmatch(r"/services/data/v[\d.]+/sobjects/Task/?", parts.path) and method == "POST":
            status = self.next_code("task", 201)
            if status >= 400:
                return status, fixture_body("salesforce/error_500")
            self.tasks.append(json.loads(raw))
            return 201, fixture_body("salesforce/task_created")
        return 404, [
            {"message": f"The requested resource does not exist: {parts.path}", "errorCode": "NOT_FOUND"}
        ]


def _sf_time(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")


def _hs_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


MODIFIED = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}


class FakeHubSpot(_Fake):
    """CRM search, archived lists, deal → company associations, company batch read, owners, notes."""

    def __init__(self, page_size: int = 2):
        super().__init__()
        recorded = fixture_body("hubspot/records")
        self.deal_companies: dict[str, str] = recorded.pop("deal_companies")
        self.records = recorded  # {"companies": [...], "contacts": [...], "deals": [...]}
        self.notes: list[dict] = []
        self.page_size = page_size  # small, so paging is exercised
        self.owners: list[dict] = fixture_body("hubspot/owners")["results"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def record(self, object_type: str, crm_id: str) -> dict:
        return next(r for r in self.records[object_type] if r["id"] == crm_id)

    def touch(self, object_type: str, crm_id: str, stamp: str, **properties) -> None:
        record = self.record(object_type, crm_id)
        record["properties"].update(properties)
        record["properties"][MODIFIED[object_type]] = stamp
        record["updatedAt"] = stamp

    def archive(self, object_type: str, crm_id: str, stamp: str) -> None:
        record = self.record(object_type, crm_id)
        record.update(archived=True, archivedAt=stamp, updatedAt=stamp)

    def answer(self, method, path, raw, headers):
        parts = urlsplit(path)
        if headers.get("Authorization") != "Bearer pat-na1-test-token":
            return 401, {
                "status": "error",
                "message": "Authentication credentials not found.",
                "category": "INVALID_AUTHENTICATION",
            }
        search = re.fullmatch(r"/crm/v3/objects/(\w+)/search", parts.path)
        if search and method == "POST":
            object_type, request = search.group(1), json.loads(raw)
            modified = MODIFIED[object_type]
            rows = [r for r in self.records[object_type] if not r.get("archived")]
            for group in request.get("filterGroups") or []:
                for f in group["filters"]:
                    assert f["propertyName"] == modified and f["operator"] == "GTE"
                    cutoff = dt.datetime.fromtimestamp(int(f["value"]) / 1000, dt.UTC)
                    rows = [r for r in rows if _hs_time(r["properties"][modified]) >= cutoff]
            rows.sort(key=lambda r: r["properties"][modified])
            start = int(request.get("after") or 0)
            limit = min(int(request.get("limit") or 10), self.page_size)
            body = fixture_body("hubspot/search")
            body.update(total=len(rows), results=copy.deepcopy(rows[start : start + limit]))
            if start + limit < len(rows):
                body["paging"] = {"next": {"after": str(start + limit), "link": f"?after={start + limit}"}}
            else:
                body.pop("paging")
            return 200, body
        listing = re.fullmatch(r"/crm/v3/objects/(\w+)", parts.path)
        if listing and method == "GET":
            query = parse_qs(parts.query)
            assert query.get("archived") == ["true"]
            body = fixture_body("hubspot/archived_page")
            body["results"] = copy.deepcopy([r for r in self.records[listing.group(1)] if r.get("archived")])
            return 200, body
        if parts.path.rstrip("/") == "/crm/v3/owners" and method == "GET":
            status = self.next_code("owners", 200)
            if status >= 400:
                return status, {"status": "error", "message": "Missing scopes", "category": "MISSING_SCOPES"}
            query = parse_qs(parts.query)
            archived = query.get("archived", ["false"]) == ["true"]
            rows = [o for o in self.owners if o["archived"] == archived]
            start = int(query.get("after", ["0"])[0])
            limit = min(int(query.get("limit", ["100"])[0]), self.page_size)
            body = fixture_body("hubspot/owners")
            body["results"] = copy.deepcopy(rows[start : start + limit])
            if start + limit < len(rows):
                body["paging"] = {"next": {"after": str(start + limit), "link": f"?after={start + limit}"}}
            else:
                body.pop("paging")
            return 200, body
        if parts.path == "/crm/v4/associations/deals/companies/batch/read":
            body = fixture_body("hubspot/associations_batch_read")
            template = body["results"][0]
            body["results"] = []
            for item in json.loads(raw)["inputs"]:
                if item["id"] in self.deal_companies:
                    row = copy.deepcopy(template)
                    row["from"]["id"] = item["id"]
                    row["to"][0]["toObjectId"] = int(self.deal_companies[item["id"]])
                    body["results"].append(row)
            return 200, body
        if parts.path == "/crm/v3/objects/companies/batch/read":
            body = fixture_body("hubspot/batch_read")
            wanted = {item["id"] for item in json.loads(raw)["inputs"]}
            body["results"] = copy.deepcopy([r for r in self.records["companies"] if r["id"] in wanted])
            return 200, body
        if parts.path == "/crm/v3/objects/notes" and method == "POST":
            status = self.next_code("note", 201)
            if status >= 400:
                return status, fixture_body("hubspot/error_500")
            self.notes.append(json.loads(raw))
            return 201, fixture_body("hubspot/note_created")
        return 404, {"status": "error", "message": f"No route {parts.path}", "category": "OBJECT_NOT_FOUND"}


@pytest.fixture
def fake_salesforce(tmp_path, monkeypatch, settings):
    """A fake Salesforce on https://127.0.0.1 and the settings of a client-credentials app."""
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    fake = FakeSalesforce()
    fake.start(context)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    settings.SALESFORCE_CLIENT_ID = "3MVG9test-consumer-key"
    settings.SALESFORCE_CLIENT_SECRET = "test-consumer-secret"
    yield fake
    fake.stop()


@pytest.fixture
def fake_hubspot(settings):
    """A fake HubSpot API on http://127.0.0.1 and a private app's token."""
    fake = FakeHubSpot()
    fake.start()
    settings.HUBSPOT_ACCESS_TOKEN = "pat-na1-test-token"
    yield fake
    fake.stop()
