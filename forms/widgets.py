"""GOV.UK form widgets for every form: govuk-frontend-wtf's, with two gaps mended.

- A template that passes ``params={"fieldset": {"legend": {"classes": ...}}}`` to style a question
  replaces the widget's whole default fieldset, which drops the question's text; here the field's
  label is kept as the legend unless the template gives its own text.
- A date posted without its three boxes made govuk-frontend-wtf's date widget crash; here it shows
  the field's error instead.
"""

from __future__ import annotations

from govuk_frontend_wtf import wtforms_widgets as gov
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovFileInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)

__all__ = [
    "GovCharacterCount",
    "GovCheckboxInput",
    "GovCheckboxesInput",
    "GovDateInput",
    "GovFileInput",
    "GovPasswordInput",
    "GovRadioInput",
    "GovSelect",
    "GovSubmitInput",
    "GovTextArea",
    "GovTextInput",
]


class _LegendFromLabel:
    """Keep the field's label as its fieldset legend when a template styles the legend."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        legend = params.get("fieldset", {}).get("legend")
        if legend is not None and not (legend.get("text") or legend.get("html")):
            legend["text"] = field.label.text
        return params


class GovRadioInput(_LegendFromLabel, gov.GovRadioInput):
    """Radios, grouped under the question."""


class GovCheckboxesInput(_LegendFromLabel, gov.GovCheckboxesInput):
    """Checkboxes, grouped under the question."""


class GovCheckboxInput(_LegendFromLabel, gov.GovCheckboxInput):
    """A single checkbox."""


class GovDateInput(_LegendFromLabel, gov.GovDateInput):
    """Day, month and year boxes, grouped under the question, also when a post leaves them out."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None
        return super().map_gov_params(field, **kwargs)
