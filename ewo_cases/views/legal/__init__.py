"""Legal interventions: each case's legal page and the steps that make legal records, and the authority-wide
legal caseload and penalty notice register.

School attendance leads may read a case's legal page for their own school's cases (the school supplies the
evidence, and must know when a notice is paid so that its own letters stop); every legal step, the caseload
and the register are the local authority's.
"""

from ewo_cases.views.legal import authority, notices, orders, prosecution, show  # noqa: F401 (routes)
from ewo_cases.views.legal.blueprint import bp

__all__ = ["bp"]
