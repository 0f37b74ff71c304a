"""Forms of the pre-coded baskets: the name typed on the FSE page, and the rename form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length


def _trimmed(value):
    return " ".join(value.split()) if isinstance(value, str) else value


NAME_RULES = [DataRequired("Donnez un nom à la FSE pré-codée."), Length(max=60, message="60 caractères au plus.")]


class SaveBasketForm(FlaskForm):
    """« Enregistrer » the FSE page's basket under a name (its own id: the page has other forms)."""

    nom = StringField("Nom de la FSE pré-codée", id="precodee-nom", validators=NAME_RULES, filters=[_trimmed])


class RenameForm(FlaskForm):
    """Rename a basket; the version read with the page travels with the form (SECURITY.md 27)."""

    nom = StringField("Nouveau nom", validators=NAME_RULES, filters=[_trimmed])
    version = HiddenField()

    def version_number(self) -> int | None:
        """The version the form was read at, or None when it is missing or altered."""
        return int(self.version.data) if (self.version.data or "").isdigit() else None
