"""Comments on a case (passage/services/comments.py): append-only, a correction is a new comment."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import time_field

COMMENT_LENGTH = 4000  # a few paragraphs; a document belongs in an attachment, not a comment


class CaseComment(SQLModel, table=True):
    """One comment, stored exactly as typed (plain text: the pages never render it as Markdown or HTML).

    Nothing updates or deletes these rows. `medical` marks special-category data (GDPR art. 9): only the
    roles that read health data read its text; the others see that it exists.
    """

    __tablename__ = "case_comment"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    task_id: int | None = Field(default=None, foreign_key="human_task.id", description="written on this task")
    author: str = Field(max_length=60)
    created_at: datetime = time_field()
    step: str | None = Field(default=None, max_length=80, description="where the case was (or the task's step)")
    text: str = Field(max_length=COMMENT_LENGTH)
    medical: bool = False
