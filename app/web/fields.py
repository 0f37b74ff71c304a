"""Form pieces shared by the features."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.fields.choices import SelectChoice


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class EmptyForm(FlaskForm):
    """A CSRF-protected button (remove, confirm, choose)."""


class FrenchDateField(DateField):
    """A date from a date picker (aaaa-mm-jj) or typed by hand (jj/mm/aaaa), with a French message."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Date invalide : saisissez-la au format jj/mm/aaaa.") from None
