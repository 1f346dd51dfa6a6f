"""README command 1, as a newcomer runs it: a fresh clone, no DATABASE_URL and no REDIS_URL,
``bash scripts/dev.sh``. It must create its environment, start the embedded PostgreSQL, seed the
demo, print logins that work and serve the app at the printed address — and a second start must
do the same without seeding again.

The clone is of the committed HEAD (CI runs on a fresh clone of main, so that is what lands).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_A_NEWCOMERS = {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG"}
START_SECONDS = 900  # creating the venv (packages from pip's cache) and seeding the demo


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _newcomer_env(port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG"}
        and not key.startswith(("PYTEST", "VIRTUAL_ENV"))
    }
    env.update(HOST="127.0.0.1", PORT=str(port))
    return env


def _start(clone: Path, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        ["bash", "scripts/dev.sh"],
        cwd=clone,
        env=_newcomer_env(port),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_served(process: subprocess.Popen, log: Path, url: str) -> str:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"scripts/dev.sh stopped (exit {process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url + "login/", timeout=5) as response:
                if response.status == 200:
                    return log.read_text()
        except OSError:
            pass
        time.sleep(2)
    pytest.fail(f"nothing served at {url} after {START_SECONDS} s:\n{log.read_text()[-4000:]}")


def _printed_login(output: str) -> tuple[str, str]:
    """The manager's line of the printed table: ``manager  manager  <password>``."""
    for line in output.splitlines():
        words = line.split()
        if len(words) == 3 and words[:2] == ["manager", "manager"]:
            return words[0], words[2]
    pytest.fail(f"no manager login printed:\n{output[-3000:]}")


def _log_in(url: str, username: str, password: str) -> str:
    """Log in through the real form (CSRF cookie and token) and return the home page."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(url + "login/", timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "username": username, "password": password})
    request = urllib.request.Request(url + "login/", data=body.encode(), headers={"Referer": url + "login/"})
    with opener.open(request, timeout=60) as response:
        assert response.url == url, f"the log-in did not lead home: {response.url}"
        return response.read().decode()


def _stop_embedded_database(clone: Path) -> None:
    subprocess.run(
        [
            str(clone / ".venv/bin/python"),
            "-W",
            "ignore",
            "-c",
            "import sys, pgserver; pgserver.get_server(sys.argv[1], cleanup_mode='stop')",
            str(clone / ".pgdata"),
        ],
        check=False,
        timeout=60,
    )


def test_readme_command_one_on_a_fresh_clone_serves_the_demo_and_its_logins_work(tmp_path):
    clone = tmp_path / "refprogram"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    try:
        first = _start(clone, port, tmp_path / "first.log")
        try:
            output = _wait_until_served(first, tmp_path / "first.log", url)
            assert "Seeding a demo program" in output
            assert f"Open {url} and log in" in output
            username, password = _printed_login(output)
            home = _log_in(url, username, password)
            assert "Log out" in home
        finally:
            _stop(first)

        second = _start(clone, port, tmp_path / "second.log")
        try:
            output = _wait_until_served(second, tmp_path / "second.log", url)
            assert "Seeding a demo program" not in output and "left it alone" in output
            username, password = _printed_login(output)
            assert "Log out" in _log_in(url, username, password)
        finally:
            _stop(second)
    finally:
        _stop_embedded_database(clone)
