"""The tables (SQLModel); they hold data, no behaviour."""

from models.audit import AuditEvent
from models.case import Case, CaseStatus, Person, PersonBase, StepRun
from models.quota import QuotaUsage
from models.task import Decision, HumanTask, Outcome, TaskStatus
from models.user import Role, RoleGrant, User

__all__ = [
    "AuditEvent",
    "Case",
    "CaseStatus",
    "Decision",
    "HumanTask",
    "Outcome",
    "Person",
    "PersonBase",
    "QuotaUsage",
    "Role",
    "RoleGrant",
    "StepRun",
    "TaskStatus",
    "User",
]
