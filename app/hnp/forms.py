"""The « HNP » page's period filter: a GET form (payment dates are not patient data), so no CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import Optional, ValidationError

from app.web.fields import FrenchDateField


class OrdiposteFilterForm(FlaskForm):
    """Période de paiement : du … au … (both optional, both included)."""

    class Meta:
        csrf = False

    du = FrenchDateField("Payés du", validators=[Optional()])
    au = FrenchDateField("au", validators=[Optional()])

    def validate_au(self, field):
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError("La date de fin précède la date de début.")

    def query_args(self) -> dict[str, str]:
        """The valid filters as query arguments, for the pagination links."""
        return {name: value.isoformat() for name, value in (("du", self.du.data), ("au", self.au.data)) if value}
