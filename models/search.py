"""The keys a case is found by (passage/core/search_keys.py derives them; case_search.py keeps them current)."""

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

KEY_LENGTH = 64
# Keys compare byte by byte, so that a prefix is one index range whatever the database's collation.
KEY_TYPE = String(KEY_LENGTH).with_variant(String(KEY_LENGTH, collation="C"), "postgresql")


class CaseSearchKey(SQLModel, table=True):
    """One key of a case: a name word, its skeleton or a reference, with its namespace (`n:`, `s:`, `r:`)."""

    __tablename__ = "case_search_key"
    # The primary key (key, case_id) answers a search; the index (case_id, key) checks one case's keys
    # and replaces them when the case changes.
    __table_args__ = (Index("ix_case_search_key_case", "case_id", "key"), {"sqlite_with_rowid": False})

    key: str = Field(primary_key=True, sa_type=KEY_TYPE)
    case_id: int = Field(primary_key=True, foreign_key="case.id")
