"""The inbox's server (ui/server.py) sends its Content-Security-Policy on every response."""

import base64
import hashlib
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import wait_for
from ui.server import content_security_policy

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def inbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run ui/server.py`, as `passage up` starts it, on a free port (no page runs until a browser
    connects, so no database is touched)."""
    port = free_port()
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PASSAGE_", "PREFECT_"))}
    env |= {"PASSAGE_HOME": str(home)}
    args = [sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "server.py"), "--server.headless", "true"]
    args += ["--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    log = (home / "inbox.log").open("wb")
    server = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if server.poll() is not None:
            raise AssertionError((home / "inbox.log").read_text(errors="replace"))
        try:
            return httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, timeout=120, what="the inbox to answer")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def directives(policy: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/cases"])
def test_every_response_carries_the_policy(inbox_url: str, path: str) -> None:
    response = httpx.get(inbox_url + path, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == content_security_policy()
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_policy_allows_no_outside_image_frame_or_object(inbox_url: str) -> None:
    policy = directives(httpx.get(inbox_url, timeout=10).headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["frame-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]


def test_the_pages_own_inline_script_is_allowed_by_its_hash(inbox_url: str) -> None:
    """Streamlit's page sets a flag in an inline script; without its hash the browser would refuse it."""
    page = httpx.get(inbox_url, timeout=10)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page.text, re.DOTALL)
    assert scripts
    allowed = directives(page.headers["content-security-policy"])["script-src"]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
