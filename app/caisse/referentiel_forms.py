"""The forms of the agent's « Référentiel »: a tariff file to preview, its confirmation, and a change
of a card colour's rule (one form per colour, prefixed with the colour)."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from app.domain.colour_rules import MOTIF_MAX_CHARS, ColourRuleInputError, parse_coefficient
from app.domain.money import plain_decimal
from app.web.fields import FrenchDateField, choices

YES_NO = [("oui", "Oui"), ("non", "Non")]


class TariffUploadForm(FlaskForm):
    """The tariff file to compare with the table."""

    fichier = FileField("Fichier de tarifs (CSV)", render_kw={"accept": ".csv,text/csv"})

    def validate_fichier(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Choisissez le fichier de tarifs à importer (format de tarifs-exemple.csv).")


class TariffConfirmForm(FlaskForm):
    """« Confirmer l'import »: the file previewed, its sha256, the preview's fingerprint and its day
    (which the fingerprint covers: `jour` only says why a preview of another day is shown again)."""

    contenu = HiddenField(validators=[DataRequired("L'aperçu est incomplet : importez le fichier de nouveau.")])
    nom = HiddenField()
    empreinte = HiddenField(validators=[DataRequired("L'aperçu est incomplet : importez le fichier de nouveau.")])
    apercu = HiddenField(validators=[DataRequired("L'aperçu est incomplet : importez le fichier de nouveau.")])
    jour = HiddenField()

    def previewed_on(self) -> date | None:
        try:
            return date.fromisoformat((self.jour.data or "").strip()[:10])
        except ValueError:
            return None


class ColourRuleForm(FlaskForm):
    """A colour's rule from a date of effect; `remplace` names the scheduled change of that date that
    the agent was shown and agreed to replace."""

    depassement = RadioField("Dépassement autorisé", choices=choices(YES_NO),
                             validators=[InputRequired("Choisissez « Oui » ou « Non ».")])
    coefficient_max = StringField("Coefficient maximal", render_kw={
        "inputmode": "decimal", "autocomplete": "off", "size": 6})
    hnp = RadioField("HNP autorisé", choices=choices(YES_NO), validators=[InputRequired("Choisissez « Oui » ou « Non ».")])
    date_effet = FrenchDateField("Date d'effet", validators=[Optional()])
    motif = TextAreaField("Motif", render_kw={"rows": 2, "maxlength": MOTIF_MAX_CHARS})
    remplace = HiddenField()

    coefficient = None  # the parsed Decimal, once validated

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.date_effet.data is None and not self.date_effet.errors:
            self.date_effet.errors = ["Saisissez la date d'effet (jj/mm/aaaa)."]
            ok = False
        return ok

    def validate_coefficient_max(self, field):
        try:
            self.coefficient = parse_coefficient(field.data)
        except ColourRuleInputError as error:
            raise ValidationError(str(error)) from None

    @classmethod
    def for_rule(cls, couleur: str, rule, earliest):
        """The colour's form, filled with its rule in force and the earliest date of effect."""
        form = cls(formdata=None, prefix=couleur)
        form.depassement.data = "oui" if rule.depassement else "non"
        form.hnp.data = "oui" if rule.hnp else "non"
        form.coefficient_max.data = plain_decimal(rule.coefficient_max)
        form.date_effet.data = earliest
        return form

    def replaces(self) -> str | None:
        return (self.remplace.data or "").strip()[:40] or None
