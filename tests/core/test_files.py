"""The home and what Passage keeps in it are for the service user only."""

import os
import subprocess
import sys
from pathlib import Path

from passage.core.files import make_private
from passage.core.settings import Settings
from passage.orchestration import stack


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_files_an_earlier_release_left_world_readable_are_narrowed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    for made in (home / "passage.db", home / "logs" / "runner.log"):
        made.write_text("")
        made.chmod(0o644)
    own = os.umask(0o022)
    try:
        make_private(home)
        assert os.umask(0o022) == 0o077  # what this process creates from now on is private too
    finally:
        os.umask(own)
    assert (mode(home), mode(home / "logs")) == (0o700, 0o700)
    assert (mode(home / "passage.db"), mode(home / "logs" / "runner.log")) == (0o600, 0o600)


def test_the_cli_creates_the_app_database_private(tmp_path: Path) -> None:
    env = {**os.environ, "PASSAGE_HOME": str(tmp_path / "home")}
    env.pop("PASSAGE_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "passage.cli", "db", "upgrade"], env=env, check=True, capture_output=True)
    assert mode(tmp_path / "home" / "passage.db") == 0o600


def test_the_stacks_children_and_their_logs_are_private(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    child = stack.spawn([sys.executable, "-c", "import os; print(oct(os.umask(0)))"], settings, "probe")
    assert child.wait(timeout=60) == 0
    log = stack.log_path(settings, "probe")
    assert (log.read_text().strip(), mode(log)) == ("0o77", 0o600)
