"""`passage api` (the REST API's server) and `passage api-tokens …`: API accounts and their tokens."""

from typing import Annotated

import typer

from passage.cli.access import grant_options
from passage.cli.common import AsJson, as_option, emit, table
from passage.core.db import init_db, session_scope
from passage.core.i18n import local
from passage.core.settings import get_settings
from passage.services.api_tokens import AccountCreate, create_token, list_tokens, revoke_token, save_account

api_tokens_app = typer.Typer(no_args_is_help=True, help="API accounts and their tokens (the REST API, docs/api.md).")

Admin = Annotated[str, as_option("the administrator acting")]


def serve_api() -> None:
    """The REST API on PASSAGE_API_PORT (default 8502), until stopped; OpenAPI docs at /api/v1/docs."""
    # Imported here: FastAPI and uvicorn cost every other command their start-up time.
    import uvicorn

    from passage.api.app import create_app

    settings = get_settings()
    init_db()
    # No access log: a search's query string holds a person's name, and no log file may (docs/data-protection.md).
    uvicorn.run(create_app(), host=settings.host, port=settings.api_port, log_level="info", access_log=False)


@api_tokens_app.command("account")
def account(
    username: str,
    actor: Admin,
    full_name: Annotated[str, typer.Option("--name", help="what the account is for, e.g. 'IND gateway'")],
    role: Annotated[list[str], typer.Option("--role", help="ROLE or ROLE@programme; repeat for more")],
    as_json: AsJson = False,
) -> None:
    """Add an API account (a service account acting in its roles), or more roles to one."""
    init_db()
    with session_scope() as session:
        new = AccountCreate.model_validate(
            {"username": username, "full_name": full_name, "grants": grant_options(role)}
        )
        save_account(session=session, actor=actor, account=new)
    if as_json:
        return emit({"username": username, "saved": True})
    typer.echo(f"API account {username} saved")


@api_tokens_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="the API account")],
    actor: Admin,
    expires_days: Annotated[int, typer.Option("--expires-days", min=1, max=366)] = 90,
    as_json: AsJson = False,
) -> None:
    """Make a token for an API account and print it, this once: only its hash is kept."""
    init_db()
    with session_scope() as session:
        issued = create_token(session=session, actor=actor, username=username, expires_days=expires_days)
    if as_json:
        return emit(issued)
    typer.echo(f"token {issued.id} for {username}, valid until {local(issued.expires_at):%Y-%m-%d %H:%M}:")
    typer.echo(issued.token)
    typer.echo("It is shown only now: keep it where the calling system keeps secrets.", err=True)


@api_tokens_app.command("list")
def list_command(actor: Admin, as_json: AsJson = False) -> None:
    """Every token (never the token itself): whose, until when, last used, revoked."""
    init_db()
    with session_scope() as session:
        rows = list_tokens(session=session, actor=actor)
    if as_json:
        return emit(rows)
    table(
        ("ID", "ACCOUNT", "STATE", "EXPIRES", "LAST USED", "BY"),
        (
            (
                r.id,
                r.username,
                r.state,
                f"{local(r.expires_at):%Y-%m-%d %H:%M}",
                f"{local(r.last_used_at):%Y-%m-%d %H:%M}" if r.last_used_at else "never",
                r.created_by,
            )
            for r in rows
        ),
    )


@api_tokens_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(min=1, help="the token's number (api-tokens list)")],
    actor: Admin,
    as_json: AsJson = False,
) -> None:
    """Revoke a token at once: every call with it is refused from now on."""
    init_db()
    with session_scope() as session:
        row = revoke_token(session=session, actor=actor, token_id=token_id)
    if as_json:
        return emit(row)
    typer.echo(f"token {row.id} of {row.username} revoked")
