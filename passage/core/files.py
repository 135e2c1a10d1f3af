"""What Passage keeps on disk is for the service user only: 0700 folders, 0600 files.

The home holds the app database, Prefect's database (decisions, names, health and DNA outcomes), the
Prefect API's credentials and the logs; a world-readable default (umask 022: 0644) shows all of it to
every account on the host.
"""

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
# What an earlier release created with the default umask, narrowed at the next start.
KEPT = ("passage.db", "passage.db-wal", "passage.db-shm", "prefect", "logs", "backups")


def make_private(home: Path) -> None:
    """From now on this process creates private files; the home and what it keeps are made private."""
    os.umask(PRIVATE_UMASK)
    home.mkdir(parents=True, exist_ok=True)
    _narrow(home)
    for name in KEPT:
        path = home / name
        if path.is_dir() and not path.is_symlink():
            for inner in (path, *path.rglob("*")):
                _narrow(inner)
        elif path.exists():
            _narrow(path)


def _narrow(path: Path) -> None:
    """Take group and other access away (a link is left alone: it points elsewhere)."""
    if path.is_symlink():
        return
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        path.chmod(mode & 0o700)
