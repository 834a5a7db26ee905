"""Every model, imported here so that Alembic and the app see the whole schema."""

from ewo_cases.models.audit import AppendOnlyError, AuditEvent
from ewo_cases.models.base import Base, utcnow
from ewo_cases.models.imports import ImportKind, ImportOutcome, ImportRun
from ewo_cases.models.schools import PHASE_LABELS, Phase, School, Trust
from ewo_cases.models.users import ROLE_LABELS, SCHOOL_LINKED_ROLES, Role, User, user_schools

__all__ = [
    "PHASE_LABELS",
    "ROLE_LABELS",
    "SCHOOL_LINKED_ROLES",
    "AppendOnlyError",
    "AuditEvent",
    "Base",
    "ImportKind",
    "ImportOutcome",
    "ImportRun",
    "Phase",
    "Role",
    "School",
    "Trust",
    "User",
    "user_schools",
    "utcnow",
]
