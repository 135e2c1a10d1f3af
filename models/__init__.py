"""The tables (SQLModel); they hold data, no behaviour."""

from models.api_token import ApiToken
from models.audit import AuditEvent
from models.case import Case, CaseStatus, Person, PersonBase, StepRun
from models.comment import CaseComment
from models.login import LoginSession, LoginThrottle
from models.notification import Notification, NotificationKind, NotificationStatus, NotifyPreference, ReminderMark
from models.quota import QuotaUsage, Reservation
from models.review import DecisionReview
from models.search import CaseSearchKey
from models.task import Approval, Decision, HumanTask, Outcome, TaskStatus
from models.user import Delegation, Role, RoleGrant, User, UserKind

__all__ = [
    "ApiToken",
    "Approval",
    "AuditEvent",
    "Case",
    "CaseComment",
    "CaseSearchKey",
    "CaseStatus",
    "Decision",
    "DecisionReview",
    "Delegation",
    "HumanTask",
    "LoginSession",
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
    "Reservation",
    "Role",
    "RoleGrant",
    "StepRun",
    "TaskStatus",
    "User",
    "UserKind",
]
