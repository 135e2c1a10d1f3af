"""In a real browser: user text is shown as text by Streamlit's own renderer, and the inbox's pages work
under its Content-Security-Policy (no script, style or socket of Streamlit's refused)."""

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect

from tests.conftest import wait_for
from tests.e2e.harness import ROOT, LiveStack, free_port
from tests.e2e.pages import FIRST_RUN_MS, Inbox

ATTACKER = "attacker.example.org"
HOSTILE = [
    "![x](https://attacker.example.org/p.png)",
    "[click](javascript:alert(1)) <img src=x> <b>bold</b>",
    "**loud** _soft_ `code` ~~gone~~ $x^2$ &amp;",
    ":red[coloured] :smile: :material/home:",
    "see https://attacker.example.org/x, www.attacker.example.org and someone@attacker.example.org",
    "# heading",
    "1. first",
]
# Each hostile text in every kind of element that renders Markdown, by the helper the pages use.
PROBE = """
import json, sys
import streamlit as st
from ui.text import plain

for i, text in enumerate(json.loads(open(sys.argv[1], encoding="utf-8").read())):
    with st.container(key=f"probe-{i}"):
        st.markdown(plain(text))
        st.caption(plain(text))
        st.subheader(plain(text))
        st.error(plain(text))
        st.button(plain(text), key=f"button-{i}")
        st.checkbox(plain(text), key=f"check-{i}")
        st.metric(plain(text), 1)
        with st.expander(plain(text)):
            st.write("")
"""
# What Markdown would have made of the text, inside the elements that hold it (Streamlit's own heading
# anchor and expander arrow aside): none of these may appear.
INLINE = ":is(img, a, code, em, strong, del, b, .katex, [data-testid=stIconMaterial])"
BLOCKS = ":is(h1, h2, h4, h5, h6, ol, ul, li, table, blockquote, pre, hr)"
RENDERED = (
    f"[data-testid=stMarkdownContainer] p {INLINE}, [data-heading-text] {INLINE},"
    f" [data-testid=stMarkdownContainer] {BLOCKS}"
)


@pytest.fixture(scope="module")
def probe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("probe")
    (folder / "probe.py").write_text(PROBE, encoding="utf-8")
    (folder / "texts.json").write_text(json.dumps(HOSTILE), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "streamlit", "run", str(folder / "probe.py"), "--server.headless", "true"]
    args += ["--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    with (folder / "probe.log").open("wb") as log:
        server = subprocess.Popen(
            [*args, "--", str(folder / "texts.json")], cwd=folder, env=env, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert server.poll() is None, (folder / "probe.log").read_text(errors="replace")
        try:
            return httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, timeout=120, what="the probe page to answer")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def watch_requests(page: Page) -> list[str]:
    """Every address the page asks for (images included), as the page asks."""
    asked: list[str] = []

    def record(request: Request) -> None:
        asked.append(request.url)

    page.on("request", record)
    return asked


def test_hostile_text_is_shown_as_typed_in_every_markdown_element(browser: Browser, probe_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    asked = watch_requests(page)
    page.goto(probe_url)
    expect(page.locator(f".st-key-probe-{len(HOSTILE) - 1}")).to_be_visible(timeout=FIRST_RUN_MS)
    for i, text in enumerate(HOSTILE):
        probe = page.locator(f".st-key-probe-{i}")
        expect(probe.get_by_test_id("stExpander")).to_have_count(1)
        expect(probe.get_by_test_id("stSkeleton")).to_have_count(0)  # every element drawn
        assert probe.locator(RENDERED).count() == 0, probe.inner_html()
        shown = probe.inner_text().replace("\u2060", "")
        # Each of the eight elements shows the text as typed (the metric's value "1" aside).
        assert shown.count(text) == 8, (text, shown)
    assert not [url for url in asked if ATTACKER in url]
    context.close()


def csp_complaints(page: Page) -> list[str]:
    complaints: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            complaints.append(message.text)

    page.on("console", record)
    return complaints


def test_the_inbox_works_under_its_content_security_policy(live: LiveStack, browser: Browser) -> None:
    """Every page of the inbox, a task and a case, a chart and a table: shown, and nothing refused."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    inbox = Inbox(context.new_page(), live.url)
    complaints = csp_complaints(inbox.page)
    asked = watch_requests(inbox.page)
    response = inbox.page.goto(live.url)
    assert response is not None and "frame-ancestors 'none'" in response.headers["content-security-policy"]
    inbox.log_in("pm.anna", live.password)
    inbox.shows_inbox()
    inbox.open_task("RST-00003")  # waits at acceptance; test_inbox_flow moves RST-00002 on
    expect(inbox.main().get_by_text("waiting at Accept for selection mission")).to_be_visible()
    inbox.go("Cases")
    expect(inbox.heading("Cases")).to_be_visible()
    inbox.open_case("RST-00003")
    expect(inbox.main().get_by_test_id("stDataFrame").first).to_be_visible()
    inbox.go("Dashboards")
    expect(inbox.heading("Dashboards")).to_be_visible()
    expect(inbox.main().get_by_test_id("stVegaLiteChart").first).to_be_visible()
    assert complaints == []
    origin = re.match(r"https?://[^/]+", live.url)
    assert origin is not None
    assert [url for url in asked if not url.startswith((origin[0], "data:", "blob:"))] == []
    context.close()


def test_a_table_offers_no_download_of_its_cells(live: LiveStack, browser: Browser) -> None:
    """The table's toolbar (search, full screen) has no "Download as CSV": the page's Export CSV is the one."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    inbox = Inbox(context.new_page(), live.url)
    inbox.log_in("pm.anna", live.password)
    inbox.shows_inbox()
    inbox.go("Cases")
    inbox.open_case("RST-00003")
    table = inbox.main().get_by_test_id("stDataFrame").first
    table.hover()
    toolbar = inbox.main().get_by_test_id("stElementToolbar").first
    expect(toolbar).to_be_visible()
    expect(toolbar.get_by_role("button", name=re.compile("search", re.IGNORECASE))).to_have_count(1)
    expect(toolbar.get_by_role("button", name=re.compile("download", re.IGNORECASE))).to_have_count(0)
    context.close()
