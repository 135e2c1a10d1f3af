"""Demo users and cases for `passage up` (all contact data on example.org)."""

from datetime import date

from sqlmodel import Session, select

from models import Case, Role
from passage.services.delivery import start_case
from passage.services.users import Grant, UserCreate, create_user

PROGRAMME = "resettlement-nl"

USERS = [
    UserCreate(
        username="pm.anna",
        full_name="Anna de Vries",
        email="pm.anna@example.org",
        grants=[Grant(role=Role.PROGRAMME_MANAGER)],
    ),
    UserCreate(
        username="pm.joost",
        full_name="Joost Bakker",
        email="pm.joost@example.org",
        grants=[Grant(role=Role.PROGRAMME_MANAGER)],
    ),
    UserCreate(
        username="cw.amal",
        full_name="Amal Haddad",
        email="cw.amal@example.org",
        grants=[Grant(role=Role.CASE_WORKER)],
    ),
    UserCreate(
        username="cw.pieter",
        full_name="Pieter Jansen",
        email="cw.pieter@example.org",
        grants=[Grant(role=Role.CASE_WORKER)],
    ),
    UserCreate(
        username="mo.sara",
        full_name="Sara Visser",
        email="mo.sara@example.org",
        grants=[Grant(role=Role.MEDICAL_OFFICER)],
    ),
    UserCreate(
        username="mv.tom",
        full_name="Tom Smit",
        email="mv.tom@example.org",
        grants=[Grant(role=Role.MOVEMENT_OFFICER)],
    ),
    UserCreate(
        username="admin",
        full_name="Administrator",
        email="admin@example.org",
        grants=[Grant(role=Role.ADMINISTRATOR)],
    ),
]

CASES: list[dict[str, object]] = [
    {
        "unhcr_ref": "LEB-24-001337",
        "country_of_asylum": "LB",
        "quota_year": date.today().year,
        "persons": [
            {
                "full_name": "محمد الأحمد",
                "nationality": "SY",
                "birth_date": "1984-03-02",
                "is_principal": True,
            },
            {
                "full_name": "فاطمة الأحمد",
                "nationality": "SY",
                "birth_date": "1987-11-20",
            },
            {
                "full_name": "ليلى الأحمد",
                "nationality": "SY",
                "birth_date": "2015-06-09",
            },
        ],
        "vulnerabilities": ["medical_needs"],
    },
    {
        "unhcr_ref": "TUR-24-004210",
        "country_of_asylum": "TR",
        "quota_year": date.today().year,
        "persons": [
            {
                "full_name": "Rahim Ahmadi",
                "nationality": "AF",
                "birth_date": "1992-01-15",
                "is_principal": True,
            }
        ],
    },
    {
        "unhcr_ref": "JOR-14-000250",
        "country_of_asylum": "JO",
        "quota_year": 2014,
        "persons": [
            {
                "full_name": "Omar Khalil",
                "nationality": "SY",
                "birth_date": "1979-08-30",
                "is_principal": True,
            },
            {
                "full_name": "Hana Khalil",
                "nationality": "SY",
                "birth_date": "2009-02-14",
            },
        ],
        "vulnerabilities": ["women_and_children_at_risk"],
    },
]


def seed(*, session: Session) -> list[str]:
    """Create the demo users, and the demo cases once; returns the refs of cases started now."""
    for user in USERS:
        create_user(session=session, user_create=user)
    session.commit()
    if session.exec(select(Case.id)).first() is not None:
        return []
    return [start_case(session=session, programme=PROGRAMME, case_file=c, actor="cw.amal").ref for c in CASES]
