"""The history's filter form: posted (a name or a matricule never goes into a URL), CSRF-protected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.domain.lifecycle import LIBELLES, STATUTS_TRANSMIS
from app.domain.money import parse_decimal, plain_decimal
from app.history.services import CAISSES, HistoryFilters
from app.web.fields import FrenchDateField, choices

MAX_AMOUNT = Decimal("1000000")


class AmountField(StringField):
    """An amount typed the French way (« 12,50 »); `.decimal` holds it (None when empty)."""

    decimal = None

    def pre_validate(self, form):
        self.decimal = None
        if self.data and self.data.strip():
            value = parse_decimal(self.data)
            if value is None or value < 0 or value >= MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
                raise ValidationError("Montant invalide : saisissez un nombre d'euros, par exemple 25,50.")
            self.decimal = value


class HistoryFilterForm(FlaskForm):
    """Période (jour de transmission), patient, caisse, statut, HNP/RDD, montant facturé, personne."""

    du = FrenchDateField("Transmises du", validators=[Optional()])
    au = FrenchDateField("au", validators=[Optional()])
    patient = StringField("Matricule ou nom du patient", validators=[Length(max=80, message="80 caractères au plus.")])
    caisse = SelectField("Caisse", default="", choices=choices([("", "Toutes"), *((c, c) for c in CAISSES)]))
    statut = SelectField("Statut", default="",
                         choices=choices([("", "Tous"), *((s, LIBELLES[s]) for s in STATUTS_TRANSMIS)]))
    hnp = SelectField("HNP/RDD", default="", choices=choices([("", "Toutes"), ("oui", "Oui"), ("non", "Non")]))
    montant_min = AmountField("Facturé de (€)")
    montant_max = AmountField("à (€)")
    personne = SelectField("Saisie par", default="", validate_choice=False)

    def validate_personne(self, field):
        # The choices are the praticien's own accounts: any other id is refused.
        if (field.data or "") not in {choice.value for choice in field.choices}:
            raise ValidationError("Choisissez une personne de la liste.")

    # The Monaco days the history covers (services.window), set by the view before validation.
    window: tuple[date, date] | None = None

    def validate_du(self, field):
        if field.data and self.window and field.data > self.window[1]:
            raise ValidationError("La date de début est postérieure à aujourd'hui.")

    def validate_au(self, field):
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError("La date de fin précède la date de début.")
        if field.data and self.window and field.data < self.window[0]:
            # Wholly before the 12 months: refused rather than shown as an empty, inverted period.
            raise ValidationError(
                f"Seuls les 12 derniers mois sont consultables (depuis le {self.window[0]:%d/%m/%Y}).")

    def validate_montant_max(self, field):
        low, high = self.montant_min.decimal, field.decimal
        if low is not None and high is not None and high < low:
            raise ValidationError("Le montant maximum est inférieur au minimum.")

    def filters(self) -> HistoryFilters:
        """The validated filters."""
        return HistoryFilters(
            du=self.du.data, au=self.au.data, patient=(self.patient.data or "").strip(),
            caisse=self.caisse.data or "", statut=self.statut.data or "", hnp=self.hnp.data or "",
            montant_min=self.montant_min.decimal, montant_max=self.montant_max.decimal,
            compte_id=int(self.personne.data) if self.personne.data else None)

    def fill(self, filters: HistoryFilters) -> None:
        """Show the stored filters in the form."""
        self.du.data, self.au.data, self.patient.data = filters.du, filters.au, filters.patient
        self.caisse.data, self.statut.data, self.hnp.data = filters.caisse, filters.statut, filters.hnp
        self.montant_min.data = plain_decimal(filters.montant_min)
        self.montant_max.data = plain_decimal(filters.montant_max)
        self.personne.data = str(filters.compte_id) if filters.compte_id else ""
