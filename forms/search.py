"""Searching for pupils and cases."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Length

from forms.attendance import GetForm
from forms.base import strip
from forms.widgets import GovTextInput

#: As long as the case list's own search filter allows, so a search can always be opened there.
MAX_QUERY_LENGTH = 100


class SearchForm(GetForm):
    """A name, UPN or case reference (an empty or very short one is a hint, not an error)."""

    q = StringField(
        "Name, UPN or case reference",
        description="For example, Smith, Amy Smith, a whole UPN or EWO-26-0042",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            Length(max=MAX_QUERY_LENGTH, message=f"Your search must be {MAX_QUERY_LENGTH} characters or fewer")
        ],
    )
