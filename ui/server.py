"""The inbox's web server: Streamlit serving ui/app.py, with a Content-Security-Policy on every response.

Started as `streamlit run ui/server.py` (`passage up`, deploy/compose.yaml): Streamlit finds `app`, an
`st.App` (Streamlit's documented ASGI entry point, served by its own uvicorn with every `--server.*`
flag), and runs the pages of ui/app.py in it as `streamlit run ui/app.py` would. The one thing added is
`SecurityHeaders`, so that a browser loads nothing but this server's own scripts, styles, images and
fonts: even a user's text that slipped through as Markdown or HTML (ui/text.py escapes it) could not
make every viewer's browser fetch an image from elsewhere, run a script, or frame another site, and no
other site can frame the inbox. The other is the login form's endpoint (ui/session_cookie.py), which sets
the cookie that keeps a login over a reload and a new tab: a page cannot set one.
"""

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import streamlit as st
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit.runtime.pages_manager import PagesManager

from ui import session_cookie

PAGES = Path(__file__).with_name("app.py")
STREAMLIT_INDEX = Path(st.__file__).parent / "static" / "index.html"


@cache
def inline_script_hashes() -> tuple[str, ...]:
    """CSP sources for the inline scripts of Streamlit's own page (one line that sets a flag), by their hash:
    computed from the installed Streamlit's page, so an upgrade that changes it still loads."""
    page = STREAMLIT_INDEX.read_text(encoding="utf-8")
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page, re.DOTALL)
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
        for script in scripts
    )


@cache
def content_security_policy() -> str:
    """What the inbox's pages may load: this server's own files only.

    Streamlit's pages need: their scripts (files, plus the inline one by hash), inline styles (its
    components style themselves at run time), images and fonts from this server and as data: or blob:
    URLs (icons, charts, downloads), and the websocket back to this server ('self' covers ws:/wss: of the
    same host). Charts evaluate their expressions without eval (vega's interpreter). Nothing else: no
    image, frame, object or connection to another address.
    """
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *inline_script_hashes()]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "media-src": "'self' data: blob:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "frame-src": "'none'",
        "frame-ancestors": "'none'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


def security_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response (pages, scripts, health, uploads)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # the websocket's handshake answer carries no page
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers().items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ui/app.py builds the navigation (st.navigation), but ui/pages/ sits beside it: Streamlit would take that
# folder for the old "pages directory" navigation in every run until ui/app.py first ran in this process, and
# so run a page opened by its URL by itself, every page listed, without the checks of ui/app.py.
PagesManager.uses_pages_directory = False
app = st.App(PAGES, routes=session_cookie.routes, middleware=[Middleware(SecurityHeaders)])
