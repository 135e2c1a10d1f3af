"""Search keys of a case: `case_search_key` (key, case_id), filled for the cases already recorded.

Each key is a reference (`r:`), a word of a person's name folded (`n:`) or its consonant skeleton
(`s:`), as passage/core/search_keys.py derives them; passage/services/case_search.py keeps them current.
A search asks for key ranges (a word is a prefix), which a B-tree answers: on PostgreSQL the column
compares bytes (collation "C") whatever the database's collation, and its statistics are finer than the
default. No trigram index (pg_trgm): every search word is the start of a key, which the B-tree finds
directly, and a trigram index cannot use a word of one or two letters.

This revision holds its own copy of the key derivation (a revision never imports application code), as
the code derived keys when it was written; the references it indexes are the case's own, its partner's
(the case file's `unhcr_ref`, `embassy_ref`, `ind_ref`) and the `*_ref`/`*_reference` fields of its
decisions; names unless the case is pseudonymised, and a case without persons by its title.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 20:15:00
"""

import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from anyascii import anyascii

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_TYPE = sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")
PARTNER_REFS = ("unhcr_ref", "embassy_ref", "ind_ref")
BATCH = 2_000

case = sa.table(
    "case",
    sa.column("id", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("title", sa.String()),
    sa.column("data", sa.JSON()),
    sa.column("pseudonymised_at", sa.DateTime(timezone=True)),
)
person = sa.table("person", sa.column("case_id", sa.Integer()), sa.column("full_name", sa.String()))
human_task = sa.table("human_task", sa.column("id", sa.Integer()), sa.column("case_id", sa.Integer()))
decision = sa.table("decision", sa.column("task_id", sa.Integer()), sa.column("data", sa.JSON()))
search_key = sa.table("case_search_key", sa.column("key", sa.String()), sa.column("case_id", sa.Integer()))

# passage/core/names.py and search_keys.py as of this revision.
_ARABIC_SAME = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ك": "ک", "ـ": None})
_WORD = re.compile(r"[^\W_]+")
_NOT_ALNUM = re.compile(r"[^\w]|_")


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_ARABIC_SAME))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", bare).casefold()))


def _skeleton(word: str) -> str:
    word = word[2:] if word.startswith("ال") and len(word) > 4 else word
    latin = "".join(ch for ch in anyascii(word).lower() if "a" <= ch <= "z")
    consonants = re.sub(r"[aeiou]", "", re.sub(r"(?<=.)[wy]", "", latin.replace("q", "k")))
    return re.sub(r"(.)\1+", r"\1", consonants).removesuffix("h") if len(consonants) > 1 else consonants


def _name_keys(name: str) -> set[str]:
    words = _folded(name).split()
    sounds = [_skeleton(w) for w in words if w not in ("al", "el")]
    return {f"n:{w[:62]}" for w in words} | {f"s:{s[:62]}" for s in sounds if s}


def _ref_key(reference: Any) -> set[str]:
    bare = _NOT_ALNUM.sub("", reference.casefold())[:62] if isinstance(reference, str) else ""
    return {f"r:{bare}"} if bare else set()


def _keys(connection: sa.Connection, cases: Sequence[Any]) -> Iterator[dict[str, Any]]:
    ids = [c.id for c in cases]
    names: dict[int, list[str]] = {}
    for case_id, full_name in connection.execute(
        sa.select(person.c.case_id, person.c.full_name).where(person.c.case_id.in_(ids))
    ):
        names.setdefault(case_id, []).append(full_name)
    decided: dict[int, list[Any]] = {}
    query = sa.select(human_task.c.case_id, decision.c.data).join(human_task, human_task.c.id == decision.c.task_id)
    for case_id, data in connection.execute(query.where(human_task.c.case_id.in_(ids))):
        decided.setdefault(case_id, []).extend(v for k, v in (data or {}).items() if k.endswith(("_ref", "_reference")))
    for c in cases:
        data = c.data or {}
        keys = set().union(
            *(_ref_key(r) for r in [c.ref, *(data.get(k) for k in PARTNER_REFS), *decided.get(c.id, [])])
        )
        if c.pseudonymised_at is None:
            keys = keys.union(*(_name_keys(n) for n in names.get(c.id) or [c.title]))
        yield from ({"key": key, "case_id": c.id} for key in sorted(keys))


def upgrade() -> None:
    op.create_table(
        "case_search_key",
        sa.Column("key", KEY_TYPE, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("key", "case_id"),
        sqlite_with_rowid=False,  # the primary key is the table: one B-tree less
    )
    op.create_index("ix_case_search_key_case", "case_search_key", ["case_id", "key"], unique=False)
    # A programme's cases newest first: the search walks them so when the reader sees one programme.
    op.create_index("ix_case_programme_id", "case", ["programme", "id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Finer statistics of the keys: the planner then knows a common name from a rare one.
        op.execute("ALTER TABLE case_search_key ALTER COLUMN key SET STATISTICS 1000")
    connection = op.get_bind()
    last = 0
    while cases := connection.execute(sa.select(case).where(case.c.id > last).order_by(case.c.id).limit(BATCH)).all():
        rows = list(_keys(connection, cases))
        if rows:
            connection.execute(search_key.insert(), rows)
        last = cases[-1].id


def downgrade() -> None:
    op.drop_index("ix_case_programme_id", table_name="case")
    op.drop_index("ix_case_search_key_case", table_name="case_search_key")
    op.drop_table("case_search_key")
