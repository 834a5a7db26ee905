"""Widgets that mend small gaps in govuk-frontend-wtf."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovDateInput as _GovDateInput


class GovDateInput(_GovDateInput):
    """The GOV.UK day/month/year input, also when a form is posted without the field at all.

    govuk-frontend-wtf unpacks the raw data as exactly three values, so a request missing the field
    would crash the page instead of showing the error message.
    """

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None
        return super().map_gov_params(field, **kwargs)
