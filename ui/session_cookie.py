"""The login form's endpoint: a password login that survives a reload and a link opened in a new tab.

Streamlit cannot set a cookie from a page (its pages talk over a websocket), so the login form
(ui/state.py) is a plain HTML form that posts here, to the inbox's own server (ui/server.py adds this
route to its `st.App`; the Content-Security-Policy's `form-action 'self'` allows it). This endpoint
checks the password with `auth.login` (the same throttle per name and per address, the same audit), then
sets the login cookie, HttpOnly (no script reads it), SameSite=Lax (a link from a mail carries it, another
site's form does not), Secure when the inbox is reached over https, and as long-lived as the login
(`PASSAGE_SESSION_MINUTES`), and sends the browser back to the page it came from. Every new Streamlit
session of the browser reads the cookie (`st.context.cookies`) and resumes the login (`auth.resume`).

A refusal goes back to the login page as `?login=refused` (or `throttled` with the time to wait): only
the person who posted sees it, and nothing in it is secret.
"""

from functools import cache
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from passage.core.db import get_engine, init_db
from passage.core.settings import get_settings
from passage.services import auth

COOKIE = "passage_session"
LOGIN_PATH = "/auth/login"
NOTICE = "login"  # the query parameter that tells the login page why it is shown again
REFUSED, THROTTLED, UNAVAILABLE = "refused", "throttled", "unavailable"
UNTIL = "until"


@cache
def _engine() -> Engine:
    """The database, migrated on first use (a login may come before any page has run)."""
    init_db()
    return get_engine()


def client_address(request: Request) -> str:
    """As ui/state.py's `client_address`: the proxy's last X-Forwarded-For entry when trusted, else the peer."""
    if get_settings().trust_forwarded_for:
        forwarded = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
        if last := forwarded[-1].strip():
            return last
    return request.client.host if request.client else auth.UNKNOWN_SOURCE


def served_over_https(request: Request) -> bool:
    """Whether the browser reached the inbox over https: directly, through the trusted proxy, or as configured."""
    settings = get_settings()
    forwarded = settings.trust_forwarded_for and request.headers.get("x-forwarded-proto", "") == "https"
    return request.url.scheme == "https" or forwarded or settings.inbox_url.startswith("https://")


def same_origin(request: Request) -> bool:
    """A login posted by this inbox's own page, not by another site's form (login CSRF): browsers name the
    page's origin on every POST; one that names another host, or none ("null"), is refused."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")


def safe_next(target: str) -> str:
    """A path of this inbox to go back to, never another site (`//evil.example` is a host, not a path)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def back_to_login(target: str, **notice: str) -> RedirectResponse:
    """The login page again (the page the user came from, which shows the login), saying why."""
    path, _, query = safe_next(target).partition("?")
    query = "&".join(part for part in (query, urlencode(notice)) if part)
    return RedirectResponse(f"{path}?{query}", status_code=303)


def _log_in(username: str, password: str, source: str) -> str:
    with Session(_engine()) as session:
        ticket = auth.login(session=session, username=username, password=password, source=source)
        token, _ticket = auth.open_session(session=session, ticket=ticket)
    return token


async def log_in(request: Request) -> Response:
    if not same_origin(request):
        return PlainTextResponse("a login is posted from the inbox's own page", status_code=403)
    form = await request.form()
    username, password, target = (str(form.get(name) or "") for name in ("username", "password", "next"))
    try:
        token = await run_in_threadpool(_log_in, username, password, client_address(request))
    except auth.LoginThrottled as exc:
        return back_to_login(target, **{NOTICE: THROTTLED, UNTIL: exc.retry_at.isoformat()})
    except auth.LoginRefused:
        return back_to_login(target, **{NOTICE: REFUSED})
    except OperationalError:  # the database is locked or down: nothing was stored
        return back_to_login(target, **{NOTICE: UNAVAILABLE})
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=get_settings().session_minutes * 60,
        path="/",
        secure=served_over_https(request),
        httponly=True,
        samesite="lax",
    )
    return response


routes = [Route(LOGIN_PATH, log_in, methods=["POST"])]
