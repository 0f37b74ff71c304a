"""Forms of the « Profil » screen."""

from __future__ import annotations

from flask_wtf import FlaskForm
from app.web.fields import FrenchDateField
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError


class AssistantForm(FlaskForm):
    nom = StringField("Nom", validators=[DataRequired("Saisissez le nom de l'assistant(e)."), Length(max=80, message="80 caractères au plus.")])
    prenom = StringField("Prénom", validators=[DataRequired("Saisissez le prénom de l'assistant(e)."),
                                               Length(max=80, message="80 caractères au plus.")])
    valide_du = FrenchDateField("Date de début de validité",
                          validators=[DataRequired("Saisissez la date de début (jj/mm/aaaa).")])
    valide_au = FrenchDateField("Date de fin de validité (facultative)", validators=[Optional()])
    code = StringField("Code d'authentification (téléphone de l'assistant(e))",
                       validators=[DataRequired("Saisissez le code affiché sur le téléphone de l'assistant(e).")])

    def validate_valide_au(self, field):
        if field.data and self.valide_du.data and field.data < self.valide_du.data:
            raise ValidationError("La date de fin ne peut pas précéder la date de début.")


class ValidityForm(FlaskForm):
    valide_au = FrenchDateField("Date de fin de validité", validators=[Optional()])


class JournalFilterForm(FlaskForm):
    """The « Journal d'activité » filters: a GET form (nothing of a patient in it), so no CSRF token."""

    class Meta:
        csrf = False

    personne = SelectField("Personne", default="", validate_choice=False)
    groupe = SelectField("Action", default="", validate_choice=False)
    du = FrenchDateField("Du", validators=[Optional()])
    au = FrenchDateField("Au", validators=[Optional()])

    def validate_personne(self, field):
        # Choices are the praticien's own accounts: a forged id of another account is refused.
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choisissez une personne de la liste.")

    def validate_groupe(self, field):
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choisissez un type d'action de la liste.")

    def validate_au(self, field):
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError("La date de fin précède la date de début.")
