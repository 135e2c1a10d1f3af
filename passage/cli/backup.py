"""`passage backup` and `passage restore` (docs/reliability.md, "Backups")."""

import os
from pathlib import Path
from typing import Annotated

import typer

from passage.cli.common import AsJson, emit
from passage.core.i18n import local
from passage.core.settings import get_settings
from passage.orchestration.backup import make_backup, restore


def backup(
    to: Annotated[
        Path | None,
        typer.Option("--to", help="the folder the backup's timestamped folder goes in (default <home>/backups)"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Back up, online, the app database, Prefect's and the home's attachments and audit folders, into one folder."""
    os.umask(0o077)  # whatever this process creates is the service user's only
    folder, manifest = make_backup(get_settings(), to)
    if as_json:
        return emit({"folder": str(folder), "manifest": manifest})
    typer.echo(f"backup written to {folder}")
    typer.echo(f"  app database     {manifest.app.kind}, revision {manifest.app.revision}")
    prefect = f"{manifest.prefect.kind}, revision {manifest.prefect.revision}" if manifest.prefect else "not included"
    typer.echo(f"  Prefect database {prefect}{f' ({manifest.prefect_note})' if manifest.prefect_note else ''}")
    typer.echo(f"  home folders     {', '.join(manifest.folders) or 'none'}")
    chain = "intact" if manifest.audit.chain_ok else "BROKEN (passage audit verify says where)"
    typer.echo(f"  audit trail      {manifest.audit.events} events, chain {chain}")


def restore_command(
    path: Annotated[Path, typer.Argument(help="a backup folder written by `passage backup`")],
    as_json: AsJson = False,
) -> None:
    """Bring a STOPPED installation back to a backup; refuses, changing nothing, if anything still runs."""
    os.umask(0o077)
    report = restore(get_settings(), path)
    if as_json:
        return emit(report)
    typer.echo(f"restored the backup of {local(report.created_at):%Y-%m-%d %H:%M:%S %Z} from {report.source}")
    for what in report.restored:
        typer.echo(f"  restored  {what}")
    for kept in report.kept:
        typer.echo(f"  kept      {kept} (what was replaced; delete it once satisfied)")
    if report.lost:
        typer.echo(f"taken back: {len(report.lost)} event(s) of the audit trail after the backup, to be redone:")
        for event in report.lost:
            where = f"case {event.case_id}" if event.case_id is not None else ""
            where += f" task {event.task_id}" if event.task_id is not None else ""
            typer.echo(f"  {local(event.at):%Y-%m-%d %H:%M:%S} {event.actor:<12} {event.action:<24} {where.strip()}")
    else:
        typer.echo("nothing recorded after the backup was taken back")
    typer.echo("start the stack again (passage up, or the services); every case resumes from the backup's state")
