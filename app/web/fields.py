"""Form pieces shared by the features."""

from __future__ import annotations

from flask_wtf import FlaskForm
from jinja2 import pass_context
from markupsafe import Markup, escape
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


_MANDATORY = Markup('<span class="mandatory" aria-hidden="true"> *</span>')


def draw_field(f, hint=None, mandatory: bool = False, autofocus_id: str | None = None, attributes=None) -> Markup:
    """A form field with its label, its hint and its French error next to it, the attributes that
    tie them together (aria-describedby, aria-invalid, aria-required) and `autofocus` when the page
    chose this field: the templates' `field` (below), in Python because the FSE page draws 14 of
    them per response and the Jinja macro it replaces, with its `set`/`dict` steps, cost more than
    the field itself (tests/web/test_draw_field.py: the same HTML as that macro)."""
    errors = f.errors
    field_id = f.id
    attrs = dict(attributes or ())
    parts = ['<div class="field field-invalid">' if errors else '<div class="field">']
    if mandatory:
        parts.append(f'<label for="{escape(field_id)}">{escape(f.label.text)}{_MANDATORY}</label>')
    else:  # what `f.label()` draws (wtforms.fields.Label), without its attribute machinery
        parts.append(f'<label for="{escape(f.label.field_id)}">{escape(f.label.text)}</label>')
    described = []
    if hint:
        parts.append(f'<p class="hint" id="{escape(field_id)}-aide">{escape(hint)}</p>')
        described.append(f"{field_id}-aide")
    if errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field_id}-erreur")
    if mandatory:
        attrs["aria-required"] = "true"
    if autofocus_id is not None and autofocus_id == field_id:
        attrs["autofocus"] = True
    if described:
        attrs["aria-describedby"] = " ".join(described)
    parts.append(str(f(**attrs)))
    if errors:
        parts.append(f'<p class="field-error" id="{escape(field_id)}-erreur">{Markup(" ").join(errors)}</p>')
    return Markup("\n  ".join(parts) + "\n</div>")


@pass_context
def field(context, f, hint=None, mandatory: bool = False, **attributes) -> Markup:
    """The templates' `field(f, hint, mandatory, **attributes)`: `draw_field` with the page's
    `autofocus_id` (one field focused per response, when the view chose one). A global rather than a
    macro of templates/_macros/forms.html: a template calls it without importing it, and without
    Jinja's macro call and per-include import (the FSE page draws 14 fields in 8 included files)."""
    return draw_field(f, hint, mandatory, context.get("autofocus_id"), attributes)
