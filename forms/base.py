"""Shared pieces of forms: the base every form in forms/ builds on, and the version an edit carries."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, Form, IntegerField, RadioField, SelectFieldBase
from wtforms.meta import DefaultMeta
from wtforms.validators import StopValidation
from wtforms.widgets import HiddenInput

#: Said after a label that marks an optional question, and left out when the label names the field.
OPTIONAL_SUFFIX = re.compile(r"\s*\(optional\)\s*$", re.IGNORECASE)


class GovukMessages:
    """WTForms' built-in messages in GOV.UK words that name the field: "Reason must be 5,000 characters or
    fewer", "Date of birth must be a real date", "Select the school".

    Only messages a validator or field gives when the form did not set its own are replaced; anything else
    is passed to the translations WTForms would have used.
    """

    def __init__(self, field: Field, fallback) -> None:
        self.field, self.fallback = field, fallback

    def gettext(self, string: str) -> str:
        name = self.name
        messages = {
            "Not a valid date value.": f"{name} must be a real date",
            "Not a valid datetime value.": f"{name} must be a real date and time",
            "Not a valid time value.": f"{name} must be a real time",
            "Not a valid integer value.": f"{name} must be a whole number",
            "Not a valid decimal value.": f"{name} must be a number",
            "Not a valid float value.": f"{name} must be a number",
            "Not a valid choice.": self.choose,
            "Invalid Choice: could not coerce.": self.choose,
            "Invalid choice(s): one or more data inputs could not be coerced.": self.choose,
            "This field is required.": self.choose if self.is_choice else self.enter,
            "Invalid email address.": "Enter an email address in the correct format, like name@example.com",
            "Number must be at least %(min)s.": f"{name} must be %(min)s or more",
            "Number must be at most %(max)s.": f"{name} must be %(max)s or less",
            "Number must be between %(min)s and %(max)s.": f"{name} must be between %(min)s and %(max)s",
            "Field must be between %(min)d and %(max)d characters long.": (
                f"{name} must be between %(min)d and %(max)d characters"
            ),
        }
        return messages[string] if string in messages else self.fallback.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        name = self.name
        messages = {
            "Field cannot be longer than %(max)d character.": f"{name} must be {n:,} characters or fewer",
            "Field must be at least %(min)d character long.": f"{name} must be {n:,} characters or more",
            "Field must be exactly %(max)d character long.": f"{name} must be {n:,} characters",
            "'%(value)s' is not a valid choice for this field.": self.choose,
        }
        return messages[singular] if singular in messages else self.fallback.ngettext(singular, plural, n)

    @property
    def label(self) -> str:
        """The field's label without a trailing "(optional)"; ``%`` doubled for the formatting that follows."""
        return OPTIONAL_SUFFIX.sub("", str(self.field.label.text)).strip().replace("%", "%%")

    @property
    def is_question(self) -> bool:
        return self.label.endswith("?")

    @property
    def name(self) -> str:
        """What the message is about: "Reason", or for a question, "The answer to ‘Why is it late?’"."""
        return f"The answer to ‘{self.label}’" if self.is_question else self.label

    @property
    def lower_name(self) -> str:
        """The name to use mid-sentence: "the reason", keeping capitals such as "UPN" or "SENCO"."""
        name = self.name
        starts_an_acronym = len(name) > 1 and name[1].isupper()
        return name if starts_an_acronym else name[:1].lower() + name[1:]

    @property
    def is_choice(self) -> bool:
        return isinstance(self.field, SelectFieldBase | RadioField | BooleanField)

    @property
    def enter(self) -> str:
        return f"Answer ‘{self.label}’" if self.is_question else f"Enter {self.lower_name}"

    @property
    def choose(self) -> str:
        """A question's label reads badly after "Select", so a question is answered from the list instead."""
        if self.is_question:
            return "Select an answer from the list"
        return f"Select the {self.lower_name} from the list"  # noqa: S608 (words for people, not SQL)


class GovukMeta(DefaultMeta):
    """Gives every field of the form the GOV.UK messages."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        field._translations = GovukMessages(field, field._translations)
        return field


class GovForm(FlaskForm):
    """The base of every page's form: GOV.UK messages for WTForms' own errors."""

    class Meta(GovukMeta):
        pass


class GovSubform(Form):
    """The base of a form inside a form (a row of a list): the same GOV.UK messages."""

    class Meta(GovukMeta):
        pass


class VersionRequired:
    """An edit must say which version of the record it was made on, or it could overwrite a later change.

    A form is editing when the view built it with the record's version (``data={"version": ...}`` or
    ``obj=record``); a form that creates a record has no version to send.
    """

    def __call__(self, form: VersionedForm, field: IntegerField) -> None:
        field.errors[:] = []
        # A post without the field would otherwise take the version the view loaded just now.
        sent = field.raw_data and field.raw_data[0].strip()
        if form.editing and (not sent or field.data is None):
            raise StopValidation("This page is out of date: reload it and make your changes again")
        raise StopValidation()


class VersionedForm(GovForm):
    """A form that edits an existing record and carries the version the user loaded.

    The service compares it with the stored version, so a save over someone else's change
    becomes a conflict instead of a silent overwrite.
    """

    version = IntegerField(widget=HiddenInput(), validators=[VersionRequired()])

    def __init__(self, *args, **kwargs) -> None:
        record = kwargs.get("obj")
        self.editing = (kwargs.get("data") or {}).get("version") is not None or (
            getattr(record, "version", None) is not None
        )
        super().__init__(*args, **kwargs)


def strip(value: str | None) -> str | None:
    """Strip surrounding whitespace from text input (a WTForms filter)."""
    return value.strip() if isinstance(value, str) else value
