"""Legal interventions: notices to improve, penalty notices, education supervision orders and prosecutions,
the penalty notice register and the legal caseload.

Each legal step writes its record and fires its trigger through the transition service in one transaction:
if the workflow refuses, the caller rolls the whole change back. The rules come from ``workflows.legal``.
"""

from ewo_cases.services.legal.caseload import LEGAL_CASELOAD_STAGES, CaseloadRow, Due, caseload, due_for
from ewo_cases.services.legal.common import ParentChoice, needs_reason, parent_choices
from ewo_cases.services.legal.eso import (
    apply_for_eso,
    current_expiry,
    latest_eso,
    record_breach,
    record_extension,
    update_eso,
)
from ewo_cases.services.legal.notices import (
    NoticeStatus,
    NoticeSummary,
    issue_penalty_notices,
    notice_status,
    notices_for,
    preview,
    record_payment,
    record_receipt,
    summarise,
    withdraw_notice,
)
from ewo_cases.services.legal.notices_to_improve import (
    issue_notice_to_improve,
    latest_notice_to_improve,
    record_notice_outcome,
)
from ewo_cases.services.legal.prosecution import (
    add_hearing,
    editable_prosecution,
    evidence_checklist,
    latest_prosecution,
    lay_prosecution,
    next_hearing,
    record_outcome,
    save_prosecution,
    settled_notices_in_proceedings,
    update_hearing,
)
from ewo_cases.services.legal.register import RegisterFilters, register_query

__all__ = [
    "LEGAL_CASELOAD_STAGES",
    "CaseloadRow",
    "Due",
    "NoticeStatus",
    "NoticeSummary",
    "ParentChoice",
    "RegisterFilters",
    "add_hearing",
    "apply_for_eso",
    "caseload",
    "current_expiry",
    "due_for",
    "editable_prosecution",
    "evidence_checklist",
    "issue_notice_to_improve",
    "issue_penalty_notices",
    "latest_eso",
    "latest_notice_to_improve",
    "latest_prosecution",
    "lay_prosecution",
    "needs_reason",
    "next_hearing",
    "notice_status",
    "notices_for",
    "parent_choices",
    "preview",
    "record_breach",
    "record_extension",
    "record_notice_outcome",
    "record_outcome",
    "record_payment",
    "record_receipt",
    "register_query",
    "save_prosecution",
    "settled_notices_in_proceedings",
    "summarise",
    "update_eso",
    "update_hearing",
    "withdraw_notice",
]
