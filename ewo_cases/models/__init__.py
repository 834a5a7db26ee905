"""Every model, imported here so that Alembic and the app see the whole schema."""

from ewo_cases.models.attendance import (
    REGISTER_DAYS,
    REGISTER_LENGTH,
    AttendanceFigures,
    AttendanceRegister,
    EnrolmentAttendance,
    PupilAttendance,
)
from ewo_cases.models.audit import AccessLog, AppendOnlyError, AuditEvent
from ewo_cases.models.base import Base, utcnow
from ewo_cases.models.imports import ImportKind, ImportOutcome, ImportRun
from ewo_cases.models.pupils import YEAR_GROUPS, Carer, Pupil, PupilCarer, SenStatus
from ewo_cases.models.schools import PHASE_LABELS, Phase, School, Trust
from ewo_cases.models.users import SCHOOL_LINKED_ROLES, User, user_schools
from workflows.roles import ROLE_LABELS, Role

__all__ = [
    "PHASE_LABELS",
    "REGISTER_DAYS",
    "REGISTER_LENGTH",
    "ROLE_LABELS",
    "SCHOOL_LINKED_ROLES",
    "YEAR_GROUPS",
    "AccessLog",
    "AppendOnlyError",
    "AttendanceFigures",
    "AttendanceRegister",
    "AuditEvent",
    "Base",
    "Carer",
    "EnrolmentAttendance",
    "ImportKind",
    "ImportOutcome",
    "ImportRun",
    "Phase",
    "Pupil",
    "PupilAttendance",
    "PupilCarer",
    "Role",
    "School",
    "SenStatus",
    "Trust",
    "User",
    "user_schools",
    "utcnow",
]
