"""The forms' fields. Every field is optional to WTForms, so that a draft keeps whatever was typed;
what « Transmettre » requires is checked by services.transmission_problems (REQUIRED below)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, StopValidation, ValidationError

from app.domain.formulaires import ETM, ETM_MAX_MONTHS, INVALIDITE, IT, SORTIES
from app.domain.identifiers import PHONE_FORMAT, is_phone_like
from app.formulaires.history_services import FormHistoryFilters
from app.formulaires.medical import LABELS
from app.web.fields import FrenchDateField, choices

MEDICAL_LENGTH = 4000


class WholeNumberField(IntegerField):
    """A whole number, with a French message when something else is typed."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Saisissez un nombre entier de mois, par exemple 12.") from None

    def pre_validate(self, form):
        if self.process_errors and self.raw_data and self.raw_data[0].strip():
            raise StopValidation()  # « douze » is not a number: no « Entre 1 et 60 mois » on top


def _phone(form, field):
    """The patient's phone, of any country: digits and the usual separators (app/domain/identifiers.py)."""
    value = (field.data or "").strip()
    if value and not is_phone_like(value):
        raise ValidationError(PHONE_FORMAT)


def _medical(name: str, rows: int = 4):
    return TextAreaField(LABELS[name], validators=[Optional(), Length(max=MEDICAL_LENGTH,
                         message=f"{MEDICAL_LENGTH} caractères au plus.")], render_kw={"rows": rows})


class IdentificationForm(FlaskForm):
    """The card of the patient: « Matricule », then « Code FSE » (or the birth date: ETM, invalidité)."""

    matricule = StringField("Matricule", validators=[Optional(), Length(max=12, message="12 caractères au plus.")])
    code_fse = StringField("Code FSE", validators=[Optional(), Length(max=8, message="8 caractères au plus.")])
    date_naissance = FrenchDateField("Date de naissance", validators=[Optional()])


class DocumentForm(FlaskForm):
    """What every form carries: its one-time token, the draft's version, the chosen member, and the
    patient's phone and exact address (advised by the seed)."""

    jeton = HiddenField()
    version = HiddenField()
    beneficiaire = HiddenField()
    telephone = StringField("Téléphone du patient", validators=[Optional(), Length(max=20, message="20 caractères au plus."), _phone])
    adresse = TextAreaField("Adresse exacte du patient", validators=[Optional(), Length(max=250, message="250 caractères au plus.")],
                            render_kw={"rows": 2})


class ItForm(DocumentForm):
    """« Prescription d'IT »."""

    nature_arret = RadioField("Nature de l'arrêt", choices=choices([("initial", "Arrêt initial"), ("prolongation", "Prolongation")]),
                              default="initial", validators=[Optional()],
                              invalid_choice_message="Choisissez arrêt initial ou prolongation.")
    date_initiale = FrenchDateField("Date de début de l'arrêt initial", validators=[Optional()])
    date_debut = FrenchDateField("Début de l'arrêt", validators=[Optional()])
    date_fin = FrenchDateField("Fin de l'arrêt (jour inclus)", validators=[Optional()])
    sorties = RadioField("Sorties", choices=choices(SORTIES.items()), validators=[Optional()],
                         invalid_choice_message="Choisissez une des réponses proposées.")
    sorties_horaires = StringField("Heures de sortie autorisées", validators=[Optional(), Length(max=80, message="80 caractères au plus.")])
    employeur = StringField("Employeur", validators=[Optional(), Length(max=120, message="120 caractères au plus.")])
    accident_travail = BooleanField("Arrêt consécutif à un accident du travail")
    date_accident = FrenchDateField("Date de l'accident du travail", validators=[Optional()])
    motif = _medical("motif", 2)
    elements_medicaux = _medical("elements_medicaux")
    motif_sorties_libres = _medical("motif_sorties_libres", 2)


class EtmForm(DocumentForm):
    """« Demande d'ETM »."""

    etm_nature_code = SelectField("Nature de l'exonération", validators=[Optional()], coerce=str,
                                  invalid_choice_message="Choisissez une nature d'exonération de la liste.")
    duree_mois = WholeNumberField("Durée demandée (mois)", validators=[
        Optional(), NumberRange(min=1, max=ETM_MAX_MONTHS, message=f"Entre 1 et {ETM_MAX_MONTHS} mois.")])
    affection = _medical("affection", 2)
    arguments = _medical("arguments", 6)


class InvaliditeForm(DocumentForm):
    """« Demande d'admission en invalidité »."""

    date_arret = FrenchDateField("Date de l'arrêt de travail", validators=[Optional()])
    diagnostics = _medical("diagnostics")
    incapacite = _medical("incapacite")
    traitement = _medical("traitement")
    pronostic = _medical("pronostic", 3)


FORMS = {IT: ItForm, ETM: EtmForm, INVALIDITE: InvaliditeForm}

# The fields « Transmettre » requires, by kind (conditional ones are in services).
REQUIRED = {
    IT: ("date_debut", "date_fin", "sorties", "motif", "elements_medicaux"),
    ETM: ("etm_nature_code", "duree_mois", "affection", "arguments"),
    INVALIDITE: ("date_arret", "diagnostics", "incapacite", "traitement", "pronostic"),
}


class FormHistoryFilterForm(FlaskForm):
    """A history's filters, posted (a name or a matricule never goes into a URL), CSRF-protected."""

    du = FrenchDateField("Transmis du", validators=[Optional()])
    au = FrenchDateField("au", validators=[Optional()])
    patient = StringField("Matricule ou nom du patient", validators=[Length(max=80, message="80 caractères au plus.")])

    def validate_au(self, field):
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError("La date de fin précède la date de début.")

    def filters(self) -> FormHistoryFilters:
        """The validated filters."""
        return FormHistoryFilters(du=self.du.data, au=self.au.data, patient=(self.patient.data or "").strip())

    def fill(self, filters: FormHistoryFilters) -> None:
        """Show the kept filters in the form."""
        self.du.data, self.au.data, self.patient.data = filters.du, filters.au, filters.patient
