"""Duplicates: a case's external reference, unique per programme; a person's name key beside the birth date.

- `case.external_ref`: the partner's number (UNHCR, embassy, IND), unique per programme, so that the
  database refuses a second case with the same number however two sessions race to open it. Existing
  cases get it from their case file. Old data may already hold the same number twice in a programme (the
  bug this revision fixes): the oldest case keeps it, the later ones are left NULL (still readable, still
  found by their case file, no longer guarding the number).
- `case.intake_hash`: a digest of the validated case file, by which a repeated submission is recognised;
  NULL for existing cases (a repeat is looked for within minutes of the first submission only).
- `person.name_key`: the name's spelling-independent key, indexed with the birth date for the likely
  duplicate lookup; computed here for existing persons.

The programmes' reference fields and the name key are copied here as they are today: a revision never
imports application code, and must give the same result when the code has moved on.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 20:20:00
"""

import re
import unicodedata
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op
from anyascii import anyascii

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Intake.external_ref() of each programme with a partner number, as of this revision.
REFERENCE_FIELDS = {"resettlement-nl": "unhcr_ref", "afghan-transfer": "embassy_ref", "family-reunification": "ind_ref"}
BATCH = 1000

CASE = sa.table(
    "case",
    sa.column("id", sa.Integer()),
    sa.column("programme", sa.String()),
    sa.column("data", sa.JSON()),
    sa.column("external_ref", sa.String()),
)
PERSON = sa.table("person", sa.column("id", sa.Integer()), sa.column("full_name", sa.String()), sa.column("name_key"))

# passage.core.names.name_key as of this revision.
_ARABIC_SAME = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ك": "ک", "ـ": None})
_WORD = re.compile(r"[^\W_]+")
_VOWELS = re.compile(r"[aeiou]")
_INNER_SEMIVOWELS = re.compile(r"(?<=.)[wy]")
_DOUBLES = re.compile(r"(.)\1+")


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_ARABIC_SAME))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", bare).casefold()))


def _skeleton(word: str) -> str:
    word = word[2:] if word.startswith("ال") and len(word) > 4 else word
    latin = "".join(ch for ch in anyascii(word).lower() if "a" <= ch <= "z")
    consonants = _VOWELS.sub("", _INNER_SEMIVOWELS.sub("", latin.replace("q", "k")))
    return _DOUBLES.sub(r"\1", consonants).removesuffix("h") if len(consonants) > 1 else consonants


def name_key(text: str) -> str:
    keys = [_skeleton(word) for word in _folded(text).split() if word not in {"al", "el"}]
    return " ".join(sorted(key for key in keys if key)) or _folded(text)


def _batches(rows: Sequence[dict[str, object]]) -> Iterator[Sequence[dict[str, object]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _backfill_references(connection: sa.Connection) -> None:
    """Each case's number from its case file; a number already taken in the programme stays with the oldest."""
    for programme, field in REFERENCE_FIELDS.items():
        number = CASE.c.data[field].as_string()
        query = sa.select(CASE.c.id, number).where(CASE.c.programme == programme).order_by(CASE.c.id)
        taken: set[str] = set()
        rows = []
        for case_id, value in connection.execute(query):
            if value and value not in taken:
                taken.add(value)
                rows.append({"case_id": case_id, "value": value})
        update = CASE.update().where(CASE.c.id == sa.bindparam("case_id")).values(external_ref=sa.bindparam("value"))
        for batch in _batches(rows):
            connection.execute(update, batch)


def _backfill_name_keys(connection: sa.Connection) -> None:
    rows = [
        {"person_id": person_id, "key": name_key(full_name)}
        for person_id, full_name in connection.execute(sa.select(PERSON.c.id, PERSON.c.full_name))
    ]
    update = PERSON.update().where(PERSON.c.id == sa.bindparam("person_id")).values(name_key=sa.bindparam("key"))
    for batch in _batches(rows):
        connection.execute(update, batch)


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_ref", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("intake_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_case_intake_hash"), ["intake_hash"], unique=False)
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(), nullable=False, server_default=""))
    connection = op.get_bind()
    _backfill_references(connection)
    _backfill_name_keys(connection)
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_case_programme_external_ref", ["programme", "external_ref"])
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column("name_key", server_default=None)
        batch_op.create_index("ix_person_name_key_birth_date", ["name_key", "birth_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_name_key_birth_date")
        batch_op.drop_column("name_key")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_constraint("uq_case_programme_external_ref", type_="unique")
        batch_op.drop_index(batch_op.f("ix_case_intake_hash"))
        batch_op.drop_column("intake_hash")
        batch_op.drop_column("external_ref")
