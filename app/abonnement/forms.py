"""The fields of the « Demande d'abonnement » (seed 003), each with its French message; the formats
are the domain's (app/domain/identifiers.py), so a field keeps its cleaned value for the service."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TelField
from wtforms.validators import StopValidation, ValidationError

from app.domain.abonnement import AVEC_CARTE, CARTE_CHOICES, PROFESSIONS_DEMANDE, card_problem, date_problem
from app.domain.calendar import today_in_monaco
from app.domain.identifiers import (
    FIXE,
    MOBILE,
    InvalidIdentifier,
    clean_adeli,
    clean_email,
    clean_name,
    clean_phone,
    clean_rpps,
)
from app.web.fields import FrenchDateField, choices

INPUT_MAX_LENGTH = 300  # far beyond any valid value: what is longer is not even read


def _required(message: str):
    def check(form, field):
        typed = str(field.raw_data[0]).strip() if field.raw_data else ""
        if not typed or field.data is False:
            field.errors[:] = []  # an empty date is « saisissez la date », not « date invalide »
            raise StopValidation(message)
        if field.data is None:
            raise StopValidation()  # typed but unreadable (« 31/02/2026 »): its own message stands
    return check


def _cleaned(clean):
    """Check the value with a domain function; an empty field is left to `_required` (or optional)."""
    def check(form, field):
        field.cleaned = None
        value = (field.data or "").strip()
        if not value:
            return
        if len(value) > INPUT_MAX_LENGTH:
            raise ValidationError(f"{INPUT_MAX_LENGTH} caractères au plus.")
        try:
            field.cleaned = clean(value)
        except InvalidIdentifier as error:
            raise ValidationError(str(error)) from None
    return check


def _one_of(options, message: str):
    def check(form, field):
        if field.data not in options:
            raise StopValidation(message)
    return check


def _recent(form, field):
    if problem := date_problem(field.data, today_in_monaco()):
        raise ValidationError(problem)


class DemandeAbonnementForm(FlaskForm):
    """« Demande d'accès et d'abonnement au portail FSE »: who, which card, how to reach him, signed.
    The fields are in the page's order (the first one to correct gets the focus)."""

    jeton = HiddenField()
    nom = StringField("Nom", validators=[_required("Saisissez votre nom."), _cleaned(clean_name)])
    prenom = StringField("Prénom", validators=[_required("Saisissez votre prénom."), _cleaned(clean_name)])
    profession = RadioField("Profession", choices=choices(PROFESSIONS_DEMANDE.items()), validate_choice=False,
                            validators=[_one_of(PROFESSIONS_DEMANDE, "Cochez votre profession.")])
    carte = RadioField("Carte de professionnel de santé (CPS)", choices=choices(CARTE_CHOICES.items()),
                       validate_choice=False)
    adeli = StringField("N° ADELI", validators=[_cleaned(clean_adeli)])
    rpps = StringField("N° RPPS", validators=[_cleaned(clean_rpps)])
    email = EmailField("Adresse électronique", validators=[
        _required("Saisissez votre adresse électronique : elle est obligatoire."), _cleaned(clean_email)])
    mobile = TelField("Tél. mobile", validators=[_cleaned(lambda value: clean_phone(value, MOBILE))])
    fixe = TelField("Tél. fixe", validators=[_cleaned(lambda value: clean_phone(value, FIXE))])
    fait_a = StringField("Fait à", validators=[_required("Saisissez la commune où vous faites la demande."),
                                               _cleaned(clean_name)])
    fait_le = FrenchDateField("Le (jj/mm/aaaa)", validators=[_required("Saisissez la date du jour."), _recent])
    contrat_accepte = BooleanField(
        "J'ai pris connaissance des termes du contrat de mise à disposition du service Feuille de Soins "
        "Électronique et je les approuve personnellement, sans aucune exception ni réserve.",
        validators=[_required("Cochez cette case pour accepter le contrat : sans cette acceptation, la "
                              "demande ne peut pas être envoyée.")])

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the card box against the numbers typed (« cochez la case utile »)."""
        valid = super().validate(extra_validators)
        numbers_typed = any((f.data or "").strip() for f in (self.adeli, self.rpps))
        if problem := card_problem(self.carte.data, numbers_typed):
            self.carte.errors = [*self.carte.errors, problem]
            valid = False
        elif self.carte.data not in CARTE_CHOICES:
            self.carte.data = AVEC_CARTE  # numbers typed without a box ticked: the page shows the card ticked
        return valid
