"""Forms of the sign-in pages; the French messages show next to their fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.domain.passwords import MAX_LENGTH


class LoginForm(FlaskForm):
    identifiant = StringField("Identifiant", validators=[DataRequired("Saisissez votre identifiant."),
                                                          Length(max=64, message="64 caractères au plus.")])
    mot_de_passe = PasswordField("Mot de passe", validators=[DataRequired("Saisissez votre mot de passe."),
                                                              Length(max=MAX_LENGTH)])
    activer_double_authentification = BooleanField("Activer la double authentification")


class CodeForm(FlaskForm):
    code = StringField("Code de double authentification",
                       validators=[DataRequired("Saisissez le code à 6 chiffres de votre application.")])


class NewPasswordForm(FlaskForm):
    nouveau = PasswordField("Nouveau mot de passe", validators=[DataRequired("Choisissez un mot de passe.")])
    confirmation = PasswordField("Confirmez le nouveau mot de passe", validators=[
        DataRequired("Retapez le nouveau mot de passe."),
        EqualTo("nouveau", "Les deux saisies ne sont pas identiques."),
    ])


class ChangePasswordForm(NewPasswordForm):
    actuel = PasswordField("Mot de passe actuel", validators=[DataRequired("Saisissez votre mot de passe actuel.")])


class ReauthForm(FlaskForm):
    mot_de_passe = PasswordField("Mot de passe", validators=[DataRequired("Saisissez votre mot de passe.")])
    code = StringField("Code de double authentification",
                       validators=[DataRequired("Saisissez le code à 6 chiffres de votre application.")])
