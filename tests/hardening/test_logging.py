"""Structured logs: one JSON object per line, carrying the id of the request it was written in."""

import io
import json
import logging

import pytest

from refprogram.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """The production handler (JSON formatter + request id filter) on the root logger, into a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.removeHandler(handler)


def test_lines_written_during_a_request_carry_its_id(client, users, json_log):
    response = client.post(
        "/login/", {"username": "sales1", "password": "wrong"}, HTTP_X_REQUEST_ID="req-abcdef123456"
    )
    assert response["X-Request-ID"] == "req-abcdef123456"
    lines = json_log()
    assert lines, "the failed log-in is logged"
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= set(line)
        assert line["request_id"] == "req-abcdef123456"
    assert any(line["logger"].startswith("axes") and line["level"] == "WARNING" for line in lines)
    assert all("wrong" not in json.dumps(line) for line in lines)  # the password is never logged


def test_outside_a_request_the_id_is_a_dash_and_exceptions_are_included(json_log):
    log = logging.getLogger("refprogram.test")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("it failed", extra={"task": "references.tasks.x"})
    (line,) = [entry for entry in json_log() if entry["logger"] == "refprogram.test"]
    assert line["request_id"] == "-"
    assert line["message"] == "it failed" and line["level"] == "ERROR"
    assert line["task"] == "references.tasks.x"
    assert "ValueError: boom" in line["exception"]


def test_production_logs_json_to_stdout_and_development_plain(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["stream"] == "ext://sys.stdout"
    assert "request_id" in handler["filters"]
    assert settings.LOGGING["formatters"]["json"]["()"] == "refprogram.logging.JsonFormatter"
    assert "%(request_id)s" in settings.LOGGING["formatters"]["plain"]["format"]
