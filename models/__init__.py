"""The tables (SQLModel); they hold data, no behaviour."""

from models.audit import AuditEvent
from models.case import Case, CaseStatus, Person, PersonBase, StepRun
from models.login import LoginThrottle
from models.notification import Notification, NotificationKind, NotificationStatus, NotifyPreference, ReminderMark
from models.quota import QuotaUsage
from models.task import Approval, Decision, HumanTask, Outcome, TaskStatus
from models.user import Delegation, Role, RoleGrant, User, UserKind

__all__ = [
    "Approval",
    "AuditEvent",
    "Case",
    "CaseStatus",
    "Decision",
    "Delegation",
    "HumanTask",
    "LoginThrottle",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "NotifyPreference",
    "Outcome",
    "Person",
    "PersonBase",
    "QuotaUsage",
    "ReminderMark",
    "Role",
    "RoleGrant",
    "StepRun",
    "TaskStatus",
    "User",
    "UserKind",
]
