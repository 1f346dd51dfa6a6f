"""What a browser, a proxy or a log file could keep: nothing private is cached, the browsable API
is off in production, and a customer's consent-link token never reaches a log line."""

import io
import json
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from refprogram.gunicorn_logging import AccessLogger
from refprogram.logging import JsonFormatter, PlainFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db

TOKEN = "k3Y9-secret_TOKEN-value-0123456789abcdefghij"


@pytest.mark.parametrize("path", ["/", "/inventory/", "/catalog/", "/requests/queue/"])
def test_pages_for_signed_in_users_are_never_stored(client_as, users, path):
    response = client_as(users["manager"]).get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_api_answers_are_never_stored(api_as, users):
    response = api_as(users["manager"]).get("/api/v1/customers/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_browsable_api_is_off_without_debug(client_as, users):
    response = client_as(users["manager"]).get("/api/v1/customers/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("application/json")
    assert b"<html" not in response.content.lower()


def _log_through(formatter, message, *args):
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(formatter)
    log = logging.getLogger("refprogram.test.masking")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning(message, *args)
    finally:
        log.removeHandler(handler)
        log.propagate = True
    return buffer.getvalue()


def test_app_log_lines_mask_consent_tokens():
    json_line = _log_through(JsonFormatter(), "Not Found: %s", f"/consent/{TOKEN}/")
    assert TOKEN not in json_line
    assert json.loads(json_line)["message"] == "Not Found: /consent/[hidden]/"
    plain_line = _log_through(PlainFormatter("%(message)s"), "GET /consent/%s/?x=1 done", TOKEN)
    assert plain_line == "GET /consent/[hidden]/?x=1 done\n"


@pytest.mark.parametrize("address", ["withdraw", "answer"])
def test_withdrawal_and_answer_links_are_masked_too(address):
    """The withdrawal link in every e-mail to a contact and a reference's answer link are secrets
    like the consent link."""
    line = _log_through(PlainFormatter("%(message)s"), f"GET /{address}/%s/ 200", TOKEN)
    assert line == f"GET /{address}/[hidden]/ 200\n"


def test_a_request_that_404s_on_a_consent_address_logs_no_token(client):
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        client.get(f"/consent/{TOKEN}/")
        client.get(f"/consent/{TOKEN}/nothing-here/")  # an unknown address: django.request logs it
    finally:
        root.removeHandler(handler)
    assert "Not Found" in buffer.getvalue()
    assert TOKEN not in buffer.getvalue()


def test_gunicorn_access_log_masks_path_and_referer():
    logger = AccessLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/consent/{TOKEN}/",
        "PATH_INFO": f"/consent/{TOKEN}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://refs.example.com/consent/{TOKEN}/",
    }
    resp = SimpleNamespace(status="200 OK", sent=120, headers=[])
    req = SimpleNamespace(headers=[("REFERER", f"https://refs.example.com/consent/{TOKEN}/")])
    atoms = logger.atoms(resp, req, environ, timedelta(milliseconds=5))
    assert atoms["r"] == "GET /consent/[hidden]/ HTTP/1.1"
    assert atoms["U"] == "/consent/[hidden]/"
    assert atoms["f"] == "https://refs.example.com/consent/[hidden]/"
    assert TOKEN not in json.dumps({k: str(v) for k, v in atoms.items()})
