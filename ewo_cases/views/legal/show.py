"""A case's legal page: the notice to improve, each penalty notice, the order and the prosecution."""

from __future__ import annotations

from flask_login import current_user

import workflows
from ewo_cases import clock
from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.services import access_log, legal
from ewo_cases.views import render_case_page
from ewo_cases.views.legal.blueprint import CASE_READERS, CASE_URL, LABELS, bp, evidence_links, load_case

#: The steps this page offers, when the workflow has a move for them from the case's stage.
STEPS = ("issue_notice_to_improve", "issue_fpn", "apply_eso", "prosecute")


@bp.get(CASE_URL)
@allow(*CASE_READERS)
def show(case_id: int):
    """Show everything legal on the case, with what is due next."""
    case = load_case(case_id)
    today = clock.today()
    notices = [legal.summarise(notice, today) for notice in legal.notices_for(case.pupil_id)]
    prosecution = legal.latest_prosecution(case)
    eso = legal.latest_eso(case)
    access_log.record_access(
        current_user, access_log.VIEWED, "case", record_id=case.id, pupil_id=case.pupil_id, detail="legal records"
    )
    db.session.commit()
    return render_case_page(
        "legal/show.html",
        case,
        today=today,
        due=legal.due_for(case, today),
        notice_to_improve=legal.latest_notice_to_improve(case),
        notices=[summary for summary in notices if summary.notice.case_id == case.id],
        earlier_notices=[summary for summary in notices if summary.notice.case_id != case.id],
        eso=eso,
        eso_expiry=legal.current_expiry(eso) if eso else None,
        prosecution=prosecution,
        checklist=legal.evidence_checklist(case, prosecution, current_user) if prosecution else [],
        paid_in_proceedings=legal.settled_notices_in_proceedings(prosecution),
        next_hearing=legal.next_hearing(prosecution, today),
        possible={trigger: bool(workflows.destinations(case.stage, trigger)) for trigger in STEPS},
        evidence_links=evidence_links(case),
        **LABELS,
    )
