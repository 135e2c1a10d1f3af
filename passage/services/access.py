"""Who may see and do what: the one permission module every service calls first.

A person acts in the roles granted to them per programme (`RoleGrant`, programme '*' = all), plus
the roles of a colleague who delegated to them while on leave. Flows and the reconciler act as
`system`, a service account that is not a person: it passes every check and its reads are not
recorded as a person's. Being a service account is the kind of the user row (`UserKind.SERVICE`, made
by the migrations, never by a person), not the name: a person row that holds a service account's name
passes nothing, and no service account can log in (auth.py) or be made a person or granted roles as one
(users.py); an API account (api_tokens.py) is a service row that acts in its own grants.
Administrators manage users and see no case data by default (docs/data-protection.md).

Special-category data (GDPR art. 9) is marked on the form field itself, `Field(json_schema_extra=HEALTH)`
or `DNA` (see passage/programmes.py); `reveal` masks it in every service output for roles that may not
see it, and records a `sensitive.read` event whenever it shows it to a person.
"""

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from sqlmodel import Session, col, select

from models import Case, Delegation, Role, RoleGrant, User, UserKind
from models.user import SERVICE_ACCOUNTS as SERVICE_ACCOUNTS  # re-exported: callers act as access.SYSTEM
from models.user import SYSTEM as SYSTEM
from passage.core.errors import NotPermitted
from passage.programme.registry import form_types, get_programme
from passage.services import audit
from passage.services.users import ANY_PROGRAMME, get_user

CASE_ROLES = frozenset(Role) - {Role.ADMINISTRATOR}

HEALTH_KIND, DNA_KIND = "health", "dna"
# Who may read a special-category field in full. DNA: the case workers record sample and result
# on IND's behalf and the medical officers run the MHAC appointments (assumption); everyone else
# reads only whether the relationship is confirmed.
READERS: dict[str, frozenset[Role]] = {
    HEALTH_KIND: frozenset({Role.MEDICAL_OFFICER}),
    DNA_KIND: frozenset({Role.MEDICAL_OFFICER, Role.CASE_WORKER}),
}
# What the others read instead of the value: an outcome, never its detail.
SUMMARIES = {
    "fit": "cleared",
    "fit_with_escort": "needs escort",
    "unfit": "not cleared",
    "confirmed": "relationship confirmed",
    "not_confirmed": "relationship not confirmed",
}
WITHHELD = "withheld"
# The free-text comment of a decision, in the data `reveal` is handed.
COMMENT = "comment"


def is_service(*, session: Session, actor: str) -> bool:
    """Whether `actor` is a service account: one of the service names, and a row of the service kind.

    Both, not the name alone: a person row an earlier release let an administrator call `system`
    (migration 0007 converts it) or a name without a row passes nothing.
    """
    if actor not in SERVICE_ACCOUNTS:
        return False
    user = session.get(User, actor)
    if user is not None:
        # The session's identity map holds rows weakly: kept here, the next check in this session reads the
        # row from memory (a commit expires it, and the check after that reads it afresh).
        session.info.setdefault("passage.service_rows", {})[actor] = user
    return user is not None and user.kind == UserKind.SERVICE


def delegators_of(*, session: Session, username: str, on: date | None = None) -> list[str]:
    """The colleagues on leave today whose roles `username` holds as their delegate."""
    day = on or date.today()
    query = select(Delegation.delegator).where(
        Delegation.delegate == username,
        col(Delegation.revoked).is_(False),
        col(Delegation.starts_on) <= day,
        col(Delegation.ends_on) >= day,
    )
    return list(session.exec(query).all())


def grants(*, session: Session, username: str) -> list[RoleGrant]:
    """A person's own grants and those delegated to them today."""
    names = [username, *delegators_of(session=session, username=username)]
    return list(session.exec(select(RoleGrant).where(col(RoleGrant.username).in_(names))).all())


def roles_in(*, session: Session, actor: str, programme: str) -> set[Role]:
    """The roles `actor` holds in `programme` (own or delegated)."""
    return {g.role for g in grants(session=session, username=actor) if g.programme in (programme, ANY_PROGRAMME)}


def case_programmes(*, session: Session, actor: str) -> set[str] | None:
    """The programmes whose cases `actor` may see; None means all of them."""
    if is_service(session=session, actor=actor):
        return None
    found = {g.programme for g in grants(session=session, username=actor) if g.role in CASE_ROLES}
    return None if ANY_PROGRAMME in found else found


def require_person(*, session: Session, actor: str) -> None:
    """Refuse a name that is not an active user (a service account is not a person).

    An API account (passage/services/api_tokens.py) passes: a service row that is active and not one of
    SERVICE_ACCOUNTS, it acts in its own role grants like a person and never logs in.
    """
    if is_service(session=session, actor=actor) or is_api_account(session=session, actor=actor):
        return
    get_user(session=session, username=actor)


def is_api_account(*, session: Session, actor: str) -> bool:
    """Whether `actor` is an active API account: a service row that passes no check by its kind alone."""
    user = session.get(User, actor)
    return user is not None and user.active and user.kind == UserKind.SERVICE and actor not in SERVICE_ACCOUNTS


def require_programme_access(*, session: Session, actor: str, programme: str) -> None:
    """Refuse unless `actor` holds a case role in `programme`."""
    if is_service(session=session, actor=actor):
        return
    require_person(session=session, actor=actor)
    if not roles_in(session=session, actor=actor, programme=programme) & CASE_ROLES:
        raise NotPermitted("{actor} has no role in {programme}", actor=actor, programme=programme)


def require_case_access(*, session: Session, actor: str, case: Case) -> None:
    """Refuse unless `actor` may see `case` (a role in its programme)."""
    require_programme_access(session=session, actor=actor, programme=case.programme)


def require_role(*, session: Session, actor: str, role: Role | str, programme: str) -> None:
    """Refuse unless `actor` holds `role` in `programme`, own or delegated."""
    if is_service(session=session, actor=actor):
        return
    require_person(session=session, actor=actor)
    if Role(role) not in roles_in(session=session, actor=actor, programme=programme):
        raise NotPermitted(
            "{actor} is not a {role} of {programme}",
            actor=actor,
            role=Role(role).value.replace("_", " "),
            programme=programme,
        )


def require_admin(*, session: Session, actor: str) -> None:
    """Refuse unless `actor` is an administrator."""
    if is_service(session=session, actor=actor):
        return
    require_person(session=session, actor=actor)
    if Role.ADMINISTRATOR not in roles_in(session=session, actor=actor, programme=ANY_PROGRAMME):
        raise NotPermitted("{actor} is not an administrator", actor=actor)


@cache
def sensitive_fields(programme: str) -> dict[str, str]:
    """Every special-category field name of the programme's forms, with its kind (health, dna)."""

    found: dict[str, str] = {}
    for form in get_programme(programme).forms:
        for name, field in form.model_fields.items():
            extra = field.json_schema_extra
            if isinstance(extra, dict) and isinstance(extra.get("sensitive"), str):
                found[name] = str(extra["sensitive"])
    return found


def summarise(value: Any) -> str:
    """The outcome a reader without access sees in place of a special-category value."""
    return SUMMARIES.get(value, WITHHELD) if isinstance(value, str) else WITHHELD


def may_read(*, session: Session, actor: str, programme: str, kind: str) -> bool:
    if is_service(session=session, actor=actor):
        return True
    return bool(roles_in(session=session, actor=actor, programme=programme) & READERS.get(kind, frozenset()))


@cache
def form_kinds(form_type: str) -> frozenset[str]:
    """The special-category kinds (health, dna) a gate form records; none for a form of an earlier release."""
    form = form_types().get(form_type)
    if form is None:
        return frozenset()
    extras = (field.json_schema_extra for field in form.model_fields.values())
    return frozenset(str(e["sensitive"]) for e in extras if isinstance(e, dict) and isinstance(e.get("sensitive"), str))


def reveal(
    *,
    session: Session,
    actor: str,
    case: Case,
    data: Mapping[str, Any],
    where: str,
    task_id: int | None = None,
    form_type: str | None = None,
) -> dict[str, Any]:
    """`data` as `actor` may see it: special-category fields summarised unless their role may read them.

    With `form_type`, the `comment` in `data` is special-category too where that form records health or
    DNA data: free text on such a gate tends to say what the form's outcome fields leave out. A person
    shown such a value in full leaves a `sensitive.read` event (in the caller's transaction: the reading
    service commits it).
    """
    marked = {name: frozenset({kind}) for name, kind in sensitive_fields(case.programme).items()}
    kinds = form_kinds(form_type) if form_type is not None and data.get(COMMENT) else frozenset()
    if kinds:
        marked[COMMENT] = kinds
    shown, read = dict(data), []
    for name in [n for n in data if n in marked]:
        if all(may_read(session=session, actor=actor, programme=case.programme, kind=k) for k in marked[name]):
            read.append(name)
        else:
            shown[name] = WITHHELD if name == COMMENT else summarise(data[name])
    if read and not is_service(session=session, actor=actor):
        audit.record(
            session=session,
            actor=actor,
            action="sensitive.read",
            case_id=case.id,
            task_id=task_id,
            detail={"fields": sorted(read), "where": where},
        )
    return shown
