"""Forms of the FSE page; decimal fields accept the French comma (1,5)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from app.web.fields import FrenchDateField, choices
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.domain.billing import NATURES
from app.domain.money import parse_decimal


class DecimalText(StringField):
    """A number typed the French way; `.decimal` holds its value (None when empty)."""

    decimal = None

    def pre_validate(self, form):
        self.decimal = None
        if self.data and self.data.strip():
            self.decimal = parse_decimal(self.data)
            if self.decimal is None:
                raise ValidationError("Saisissez un nombre, par exemple 1,5.")


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IdentificationForm(FlaskForm):
    matricule = StringField("Matricule", validators=[DataRequired("Saisissez le matricule de la carte."),
                                                      Length(max=12, message="12 caractères au plus.")])
    code_fse = StringField("Code FSE", validators=[DataRequired("Saisissez le code FSE de la carte."),
                                                   Length(max=8, message="8 caractères au plus.")])
    caisse = SelectField("Caisse", choices=choices([("CCSS", "CCSS"), ("CAMTI", "CAMTI"), ("SPME", "SPME")]), default="CCSS")


class ConditionsForm(FlaskForm):
    date_soins = FrenchDateField("Date des soins", validators=[DataRequired("Saisissez la date des soins (jj/mm/aaaa).")])
    nature = SelectField("Nature", choices=choices(NATURES.items()), default="maladie")
    date_accident = FrenchDateField("Date de l'accident ou de la maladie professionnelle", validators=[Optional()])
    etm_appliquee = BooleanField("Exonération du ticket modérateur (ETM) appliquée")
    serie = BooleanField("Série d'actes")
    prescripteur = StringField("Prescripteur", validators=[Optional(), Length(max=120, message="120 caractères au plus.")])
    date_prescription = FrenchDateField("Date de la prescription", validators=[Optional()])
    entente_numero = StringField("N° d'entente préalable", validators=[Optional(), Length(max=30, message="30 caractères au plus.")])
    entente_date = FrenchDateField("Date de l'entente préalable", validators=[Optional()])


class NgapForm(FlaskForm):
    lettre = StringField("Lettre clé", validators=[DataRequired("Choisissez ou saisissez la lettre clé."),
                                                   Length(max=8, message="8 caractères au plus.")])
    majorations = CheckboxList("Majorations", choices=[], validate_choice=False)
    coefficient = DecimalText("Coefficient", default="1", validators=[DataRequired("Saisissez le coefficient.")])
    diviseur = SelectField("Diviseur", choices=choices([("1", "1"), ("2", "2 (2e acte de la séance)")]), default="1")


class CcamForm(FlaskForm):
    # Also the search box of the autocomplete: a label may be typed here; the code is checked on « Ajouter ».
    code = StringField("Code CCAM", validators=[DataRequired("Saisissez le code de l'acte ou cherchez-le."),
                                                Length(max=80, message="80 caractères au plus.")])
    activite = SelectField("Activité", choices=choices((str(i), str(i)) for i in range(1, 6)), default="1")
    phase = SelectField("Phase", choices=choices((str(i), str(i)) for i in range(0, 4)), default="0")
    modificateurs = CheckboxList("Modificateurs", choices=[], validate_choice=False)
    association = SelectField("Code d'association", choices=choices([("1", "1 (100 %)"), ("2", "2 (50 %)")]), default="1")


class BillingForm(FlaskForm):
    montant_facture = DecimalText("Montant facturé (€)")
    ponderation = DecimalText("Pondération (coefficient)")
    hnp = BooleanField("HNP")

    def validate_ponderation(self, field):
        if self.montant_facture.decimal is not None and field.decimal is not None:
            raise ValidationError("Saisissez un montant ou une pondération, pas les deux.")


class TransmitForm(FlaskForm):
    jeton = HiddenField()
    # The draft's version the summary showed: another tab's change in between refuses the transmission.
    version = HiddenField()
