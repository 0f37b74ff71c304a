"""The forms of « FSE reçues »: the list's filters (a GET form: a praticien, days, a caisse and a
status are no patient data, so the query string may carry them), the rejection's reason, and the
ordiposte's selection with its payment date."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import Optional, ValidationError

from app.caisse.fse_services import ReceivedFilters
from app.domain.caisse_fses import MOTIF_MAX_CHARS, default_period, payment_date_problem, reason_problem
from app.domain.lifecycle import LIBELLES, STATUTS_TRANSMIS
from app.hnp.services import CAISSE_NAMES
from app.web.fields import FrenchDateField, choices

HNP_CHOICES = {"oui": True, "non": False}


def one_of(message: str):
    """A select's value must be one of its options (any other value typed in the URL is refused)."""
    def check(form, field):
        if (field.data or "") not in {choice.value for choice in field.choices}:
            raise ValidationError(message)
    return check


class ReceivedFilterForm(FlaskForm):
    """Praticien, transmises du … au …, caisse, statut, HNP/RDD."""

    class Meta:
        csrf = False

    praticien = SelectField("Praticien", default="", validate_choice=False,
                            validators=[one_of("Choisissez un praticien de la liste.")])
    du = FrenchDateField("Transmises du", validators=[Optional()])
    au = FrenchDateField("au", validators=[Optional()])
    caisse = SelectField("Caisse", default="", validate_choice=False,
                         choices=choices([("", "Toutes"), *((code, code) for code in CAISSE_NAMES)]),
                         validators=[one_of("Choisissez une caisse de la liste.")])
    statut = SelectField("Statut", default="", validate_choice=False,
                         choices=choices([("", "Tous"), *((s, LIBELLES[s]) for s in STATUTS_TRANSMIS)]),
                         validators=[one_of("Choisissez un statut de la liste.")])
    hnp = SelectField("HNP/RDD", default="", validate_choice=False,
                      choices=choices([("", "Toutes"), ("oui", "Oui"), ("non", "Non")]),
                      validators=[one_of("Choisissez « Oui », « Non » ou « Toutes ».")])

    @classmethod
    def from_request(cls, args, praticiens: list[tuple[int, str]], today: date) -> ReceivedFilterForm:
        """The filters of the query string; none at all (the first visit): the last 30 days."""
        filter_args = {key: value for key, value in args.items() if key in cls._field_names()}
        form = cls(formdata=args if filter_args else None)
        form.praticien.choices = choices([("", "Tous"), *((str(pid), name) for pid, name in praticiens)])
        if not filter_args:
            form.du.data, form.au.data = default_period(today)
        return form

    @classmethod
    def _field_names(cls) -> set[str]:
        return {"praticien", "du", "au", "caisse", "statut", "hnp"}

    def validate_au(self, field):
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError("La date de fin précède la date de début.")

    def filters(self) -> ReceivedFilters:
        """The validated filters."""
        return ReceivedFilters(praticien_id=int(self.praticien.data) if self.praticien.data else None,
                               du=self.du.data, au=self.au.data, caisse=self.caisse.data or None,
                               statut=self.statut.data or None, hnp=HNP_CHOICES.get(self.hnp.data or ""))

    def query_args(self) -> dict[str, str]:
        """The filters as query arguments (pagination, the ordiposte's form, the way back from a detail);
        an empty value is kept, so that a period left open stays open instead of the default one."""
        return {"praticien": self.praticien.data or "", "du": self.du.data.isoformat() if self.du.data else "",
                "au": self.au.data.isoformat() if self.au.data else "", "caisse": self.caisse.data or "",
                "statut": self.statut.data or "", "hnp": self.hnp.data or ""}


class RejectionForm(FlaskForm):
    """« Rejeter cette FSE »: the reason, sent to the praticien (contract article 10)."""

    motif = TextAreaField("Motif du rejet", render_kw={"rows": 4, "maxlength": MOTIF_MAX_CHARS})

    def validate_motif(self, field):
        problem = reason_problem(field.data)
        if problem:
            raise ValidationError(problem)


class OrdiposteForm(FlaskForm):
    """« Créer l'ordiposte »: the FSE ticked in the list and the day the caisse pays them."""

    fse = SelectMultipleField("FSE à payer", validate_choice=False)
    date_paiement = FrenchDateField("Date de paiement")

    # The Monaco day of the request, and the latest Monaco day of transmission among the ticked FSE
    # (the payment date cannot precede it), set by the view before validation.
    today: date | None = None
    latest_sent: date | None = None

    def validate_fse(self, field):
        if not field.data:
            raise ValidationError("Cochez au moins une FSE à payer.")
        if not all(value.isdigit() and len(value) < 12 for value in field.data):
            raise ValidationError("Sélection invalide : rechargez la liste et cochez de nouveau les FSE.")

    def fse_ids(self) -> list[int]:
        """The ticked FSE's ids (after validation)."""
        return [int(value) for value in self.fse.data]

    def ticked_ids(self) -> list[int]:
        """The ticked FSE's ids that read as ids, before validation (for `latest_sent`)."""
        return [int(value) for value in self.fse.data or [] if value.isdigit() and len(value) < 12]

    def validate_date_paiement(self, field):
        if not (field.raw_data and field.raw_data[0].strip()):
            field.errors[:] = []
            raise ValidationError("Indiquez la date de paiement.")
        if field.errors:  # an unreadable date already says so
            return
        problem = payment_date_problem(field.data, self.today or date.today(), self.latest_sent)
        if problem:
            raise ValidationError(problem)
