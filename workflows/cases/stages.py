"""The stages of a case and their display labels."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from workflows.attendance import Band


class CaseStage(StrEnum):
    """Where a case is in the intervention workflow; the values are what the database stores."""

    AT_RISK = "at_risk"
    PERSISTENT = "persistent"
    SEVERE = "severe"
    EARLY_HELP = "early_help"
    PARENTING_CONTRACT = "parenting_contract"
    NOTICE_TO_IMPROVE = "notice_to_improve"
    FPN = "fpn"
    ESO = "eso"
    PROSECUTION = "prosecution"
    CLOSED = "closed"


class ClosureReason(StrEnum):
    """Why an episode of intervention ended."""

    IMPROVED = "improved"
    LEFT_SCHOOL = "left_school"
    LEFT_AUTHORITY = "left_authority"
    ELECTIVE_HOME_EDUCATION = "elective_home_education"
    CHILD_MISSING_EDUCATION = "child_missing_education"
    END_OF_COMPULSORY_AGE = "end_of_compulsory_age"
    LEGAL_OUTCOME = "legal_outcome"
    OTHER = "other"


#: The pseudo-state a case is in before it exists: ``open`` leaves it, and audit rows record it as ``from``.
NOT_OPENED: Final = "none"

SUPPORT_STAGES: Final = (CaseStage.AT_RISK, CaseStage.PERSISTENT, CaseStage.SEVERE)
FORMAL_STAGES: Final = (CaseStage.EARLY_HELP, CaseStage.PARENTING_CONTRACT, CaseStage.NOTICE_TO_IMPROVE)
LEGAL_STAGES: Final = (CaseStage.FPN, CaseStage.ESO, CaseStage.PROSECUTION)
OPEN_STAGES: Final = SUPPORT_STAGES + FORMAL_STAGES + LEGAL_STAGES

_STAGE_OF_BAND: Final = {
    Band.AT_RISK: CaseStage.AT_RISK,
    Band.PERSISTENT: CaseStage.PERSISTENT,
    Band.SEVERE: CaseStage.SEVERE,
}
_BAND_OF_STAGE: Final = {stage: band for band, stage in _STAGE_OF_BAND.items()}

STAGE_LABELS: Final[dict[str, str]] = {
    NOT_OPENED: "Not yet opened",
    CaseStage.AT_RISK: "At risk",
    CaseStage.PERSISTENT: "Persistent absence",
    CaseStage.SEVERE: "Severe absence",
    CaseStage.EARLY_HELP: "Early help",
    CaseStage.PARENTING_CONTRACT: "Attendance contract",
    CaseStage.NOTICE_TO_IMPROVE: "Notice to improve",
    CaseStage.FPN: "Penalty notice",
    CaseStage.ESO: "Education supervision order",
    CaseStage.PROSECUTION: "Prosecution",
    CaseStage.CLOSED: "Closed",
}

CLOSURE_REASON_LABELS: Final[dict[ClosureReason, str]] = {
    ClosureReason.IMPROVED: "Attendance improved",
    ClosureReason.LEFT_SCHOOL: "Left the school",
    ClosureReason.LEFT_AUTHORITY: "Left the local authority",
    ClosureReason.ELECTIVE_HOME_EDUCATION: "Elective home education",
    ClosureReason.CHILD_MISSING_EDUCATION: "Referred as a child missing education",
    ClosureReason.END_OF_COMPULSORY_AGE: "Reached the end of compulsory school age",
    ClosureReason.LEGAL_OUTCOME: "Legal outcome",
    ClosureReason.OTHER: "Other",
}

TRIGGER_LABELS: Final[dict[str, str]] = {
    "open": "Open a case",
    "escalate": "Escalate",
    "step_down": "Step down",
    "start_early_help": "Start early help",
    "agree_contract": "Agree an attendance contract",
    "issue_notice_to_improve": "Issue a notice to improve",
    "issue_fpn": "Issue a penalty notice",
    "nti_complied": "Record that the notice to improve was complied with",
    "fpn_resolved": "Record the penalty notices as resolved",
    "apply_eso": "Apply for an education supervision order",
    "eso_ended": "Record that the education supervision order has ended",
    "prosecute": "Prosecute",
    "record_outcome": "Record the court outcome",
    "close": "Close the case",
    "reopen": "Reopen the case",
}


def stage_for_band(band: Band | str) -> CaseStage:
    """Return the support stage that matches ``band``; ``Band.NONE`` has none and raises ValueError."""
    try:
        return _STAGE_OF_BAND[Band(band)]
    except KeyError:
        raise ValueError(f"no support stage matches the band {band!r}") from None


def band_for_stage(stage: CaseStage | str) -> Band:
    """Return the band a support stage stands for; other stages raise ValueError."""
    try:
        return _BAND_OF_STAGE[CaseStage(stage)]
    except KeyError:
        raise ValueError(f"{stage!r} is not a support stage") from None
