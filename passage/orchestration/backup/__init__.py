"""Backups that restore: the app database, Prefect's database and the attachments, in one folder with a manifest.

`make_backup` runs online, with the stack up. The two databases are copied while the app database's
writes are held (SQLite: `BEGIN IMMEDIATE` on a connection of our own; PostgreSQL: every table locked
EXCLUSIVE, which readers such as pg_dump pass), so Prefect's copy is never older than Passage's: a
decision in the app copy has reached Prefect's copy or is still waiting to (the reconciler delivers it),
and a run that Prefect's copy shows Running has no process after a restore (the reconciler's zombie
check marks it Crashed and it replays to its gate). Writers wait meanwhile (busy timeout, lock timeout:
15 s), so the hold lasts only as long as the copies.

`restore` brings a stopped installation back: it refuses while anything of the stack runs, checks every
file against the manifest, restores into temporary files (SQLite) and verifies them (integrity, Alembic
revision, row counts, the audit chain) before putting them in place with renames; PostgreSQL is restored
by psql in one transaction whose last statements check the revision and the row counts, so a failure
changes nothing. What is replaced is kept beside it (`*.before-restore-<time>`), for an operator to
delete once satisfied.
"""

from passage.orchestration.backup.archive import BackupError, Manifest, RestoreReport, read_manifest
from passage.orchestration.backup.make import make_backup
from passage.orchestration.backup.restore import restore

__all__ = ["BackupError", "Manifest", "RestoreReport", "make_backup", "read_manifest", "restore"]
