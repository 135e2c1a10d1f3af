"""Comments on a case: a thread anyone with a role in the case's programme reads and writes.

- Append-only: there is no service to change or delete a comment; a correction is a new comment.
- Stored verbatim (plain text, control characters refused); every page shows it as text, never Markdown.
- A **medical** comment is special-category data (GDPR art. 9): only the roles that read health data
  (access.READERS, the medical officers) write or read its text; the others read that it exists, by whom and
  when. Showing its text to a person is a `sensitive.read` event, as for a health field of a form.
- `@username` names a colleague: an active person with a role in the programme (and, for a medical
  comment, one who may read it) is told through the outbox who mentioned them on which case, not what.
- Every comment written is an audit event; the event names the comment, never its text.
"""

import re
from datetime import datetime

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlmodel import Session, col, select

from models import Case, CaseComment, HumanTask, NotificationKind, User, UserKind
from models.comment import COMMENT_LENGTH
from models.common import MAX_ID, clean_text, utcnow
from passage.core import messages
from passage.core.errors import FormInvalid, NotFound, NotPermitted
from passage.core.settings import get_settings
from passage.services import access, audit, cases, notifications

# After a space, a line's start or punctuation, not inside a word or an e-mail address (`ann@example.org`).
_MENTION = re.compile(r"(?<![\w@.])@([a-z0-9][a-z0-9._-]{1,59})")


class CommentText(BaseModel):
    text: str = Field(min_length=1, max_length=COMMENT_LENGTH)

    _text = field_validator("*", mode="before")(clean_text)


class CommentView(BaseModel):
    """A comment as one reader may see it: `text` None (and `withheld`) for a medical note they may not read."""

    id: int
    case_ref: str
    task_id: int | None
    author: str
    created_at: datetime
    step: str | None
    medical: bool
    withheld: bool = False
    text: str | None


def _case(session: Session, actor: str, case_ref: str | None, case_id: int | None) -> Case:
    """The case named by its reference or its id, if `actor` may see it."""
    if (case_ref is None) == (case_id is None):
        raise TypeError("name the case by case_ref or by case_id")
    if case_ref is not None:
        return cases.get_case(session=session, ref=case_ref, actor=actor)
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("no case {case_id}", case_id=case_id)
    access.require_case_access(session=session, actor=actor, case=case)
    return case


def may_write_medical(*, session: Session, actor: str, programme: str) -> bool:
    """Whether `actor` may mark a comment medical (and read medical ones): the health data's readers."""
    return access.may_read(session=session, actor=actor, programme=programme, kind=access.HEALTH_KIND)


def _task_step(session: Session, case: Case, task_id: int | None) -> str | None:
    """The step the comment is written at: the task's, else where the case is."""
    if task_id is None:
        return case.current_step
    task = session.get(HumanTask, task_id) if 0 < task_id <= MAX_ID else None
    if task is None or task.case_id != case.id:
        raise NotFound("no task {task_id} on case {ref}", task_id=task_id, ref=case.ref)
    return task.step


def add_comment(
    *,
    session: Session,
    actor: str,
    text: str,
    case_ref: str | None = None,
    case_id: int | None = None,
    medical: bool = False,
    task_id: int | None = None,
) -> CommentView:
    """Add a comment to the case (on one of its tasks, with `task_id`); the mentioned are told."""
    case = _case(session, actor, case_ref, case_id)
    if medical and not may_write_medical(session=session, actor=actor, programme=case.programme):
        raise NotPermitted("{actor} may not write a medical note: only medical officers read them", actor=actor)
    try:
        said = CommentText(text=text).text
    except ValidationError as exc:
        raise FormInvalid.from_validation(exc) from None
    step = _task_step(session, case, task_id)
    comment = CaseComment(case_id=case.id or 0, task_id=task_id, author=actor, step=step, text=said, medical=medical)
    session.add(comment)
    session.flush()
    told = _tell_mentioned(session, case, comment)
    audit.record(
        session=session,
        actor=actor,
        action="comment.added",
        case_id=case.id,
        task_id=task_id,
        detail={"comment": comment.id, "medical": medical, "step": step or "", "mentioned": told},
    )
    session.commit()
    return _view(comment, case.ref, shown=True)


def mentions(text: str) -> list[str]:
    """The usernames a text names with @, in order, once each (a sentence's full stop after one dropped)."""
    found = (name.rstrip("._-") for name in _MENTION.findall(text))
    return list(dict.fromkeys(name for name in found if name))


def _may_be_told(session: Session, case: Case, comment: CaseComment, user: User) -> bool:
    """An active person (not the author) with a role in the case's programme who may read the comment."""
    if user.username == comment.author or not user.active or user.kind != UserKind.PERSON:
        return False
    roles = access.roles_in(session=session, actor=user.username, programme=case.programme)
    if not roles & access.CASE_ROLES:
        return False
    return not comment.medical or may_write_medical(session=session, actor=user.username, programme=case.programme)


def _tell_mentioned(session: Session, case: Case, comment: CaseComment) -> list[str]:
    """Queue one message to each person the comment mentions and may read it; returns their usernames."""
    names = mentions(comment.text)
    if not names:
        return []
    users = session.exec(select(User).where(col(User.username).in_(names)).order_by(col(User.username))).all()
    told = [user for user in users if _may_be_told(session, case, comment, user)]
    now, base_url = utcnow(), get_settings().inbox_url
    rows = []
    for user in told:
        title, body = messages.mentioned(comment.author, case.ref, user.language, base_url)
        person = notifications.Recipient(user.username, user.language, False)
        rows.append(
            notifications.personal_message(
                person,
                key=f"mentioned:{comment.id}:{user.username}",
                kind=NotificationKind.MENTIONED,
                title=title,
                body=body,
                now=now,
                task_id=comment.task_id,
            )
        )
    notifications.enqueue(session=session, rows=rows)
    return [user.username for user in told]


def case_comments(
    *, session: Session, actor: str, case_ref: str | None = None, case_id: int | None = None
) -> list[CommentView]:
    """The case's comments, oldest first, as `actor` may read them; reading a medical note's text is audited."""
    case = _case(session, actor, case_ref, case_id)
    rows = session.exec(select(CaseComment).where(CaseComment.case_id == case.id).order_by(col(CaseComment.id))).all()
    reads_medical = may_write_medical(session=session, actor=actor, programme=case.programme)
    read = [row.id for row in rows if row.medical and reads_medical]
    if read and not access.is_service(session=session, actor=actor):
        audit.record(
            session=session,
            actor=actor,
            action="sensitive.read",
            case_id=case.id,
            detail={"comments": read, "where": "comments"},
        )
    session.commit()  # the reading's own event
    return [_view(row, case.ref, shown=reads_medical or not row.medical) for row in rows]


def _view(comment: CaseComment, ref: str, *, shown: bool) -> CommentView:
    return CommentView(
        id=comment.id or 0,
        case_ref=ref,
        task_id=comment.task_id,
        author=comment.author,
        created_at=comment.created_at,
        step=comment.step,
        medical=comment.medical,
        withheld=not shown,
        text=comment.text if shown else None,
    )
