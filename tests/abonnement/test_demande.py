"""« Demande d'abonnement » through the real routes, CSRF on: a public page linked from the home and
sign-in pages; a valid request → its reference, one pending row and one audit row without personal
data; each refused field → its message next to it, the input kept, 422, nothing stored; « cochez la
case utile »; the contract; the same e-mail twice; a double post (the throttle: test_abuse.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.models import JournalAudit
from tests.abonnement.common import (
    HX,
    NOT_SENT,
    body,
    count,
    field_error,
    input_tag,
    input_value,
    rows,
    valid_values,
)

# --- The page ---------------------------------------------------------------------------------

def test_the_public_page_is_linked_from_home_and_sign_in(client, app_ctx):
    for path in ("/", "/connexion"):
        assert 'href="/abonnement"' in client.get(path).get_data(as_text=True), path
    page = client.get("/abonnement")
    html = body(page)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "<h1>Demande d'abonnement</h1>" in html
    for label in ("Médecin", "Chirurgien-Dentiste", "Infirmier(e) libéral(e)", "Orthophoniste",
                  "Masseur-Kinésithérapeute", "Orthoptiste", "Sage-femme"):
        assert f"> {label}</label>" in html
    for words in ("N° ADELI", "N° RPPS", "ne pas disposer d'une carte de professionnel de santé", "Adresse électronique",
                  "Tél. mobile", "Tél. fixe", "Fait à", "Le (jj/mm/aaaa)", "Envoyer la demande"):
        assert words in html
    # The contract's thirteen articles, on the page, with the acceptance box.
    assert re.findall(r"<h4>Article (\d+)</h4>", html) == [str(n) for n in range(1, 14)]
    assert "<details class=\"contrat\">" in html
    assert "approuve personnellement, sans aucune exception ni réserve" in html
    assert input_value(html, "fait_le") == today_in_monaco().isoformat()  # today by default
    assert "checked" not in input_tag(html, "contrat_accepte")


# --- A valid request --------------------------------------------------------------------------

def test_a_valid_request_gives_its_reference_and_one_pending_row(requester, client, app_ctx):
    response = requester.send()
    assert response.status_code == 303 and response.headers["Location"] == "/abonnement/envoyee"
    sent = client.get("/abonnement/envoyee")
    html = body(sent)
    reference = re.search(r'class="reference">([^<]+)<', html).group(1)
    assert re.fullmatch(rf"AB-{today_in_monaco():%Y%m%d}-[2-9A-HJ-NP-Z]{{6}}", reference)
    assert sent.headers["Cache-Control"] == "no-store"
    # Nothing of the request is said back: no name, no address, no number.
    for typed in ("Rossi", "Anne-Marie", "anne.rossi", "10003456786", "12 34 56 78"):
        assert typed not in html
    [demande] = rows()
    assert (demande.reference, demande.statut, demande.profession) == (reference, "en_attente", "medecin")
    assert (demande.nom, demande.prenom, demande.email) == ("Rossi", "Anne-Marie", "anne.rossi@exemple.mc")
    assert (demande.adeli, demande.rpps, demande.sans_carte_cps) == (None, "10003456786", False)
    assert (demande.mobile, demande.fixe) == ("+377 6 12 34 56 78", "+377 93 15 43 44")
    assert (demande.fait_a, demande.fait_le, demande.contrat_accepte) == ("Monaco", today_in_monaco(), True)
    assert demande.ip == "127.0.0.1" and demande.motif_refus is None and demande.cree_le is not None
    assert client.get("/abonnement/envoyee").status_code == 200  # a reload shows it again


def test_htmx_gets_a_redirect_to_the_reference(requester, app_ctx):
    response = requester.send(headers=HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/abonnement/envoyee"
    assert count() == 1


def test_the_reference_page_without_a_request_leads_to_the_form(client, app_ctx):
    response = client.get("/abonnement/envoyee")
    assert response.status_code == 302 and response.headers["Location"] == "/abonnement"


def test_the_audit_row_holds_no_personal_data(requester, app_ctx):
    values = valid_values(adeli="061234567", fixe="04 93 12 34 56")
    requester.send(values)
    [demande] = rows()
    [row] = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "abonnement.demande")).all()
    assert (row.resultat, row.objet_type, row.objet_id) == ("succes", "demande_abonnement", str(demande.id))
    assert row.compte_id is None and row.praticien_id is None and row.details is None
    assert row.identifiant_saisi is None and row.ip == "127.0.0.1"
    everything = " ".join(str(getattr(r, column.key)) for r in db.session.scalars(select(JournalAudit))
                          for column in JournalAudit.__table__.columns)
    for personal in ("Rossi", "Anne", "anne.rossi", "exemple.mc", "10003456786", "061234567", "12 34 56", "93 12",
                     "Monaco", demande.reference):
        assert personal not in everything, personal


def test_the_same_email_twice_is_one_more_request_with_no_hint(requester, client, app_ctx):
    first = requester.send()
    first_page = body(client.get("/abonnement/envoyee"))
    second = requester.send(nom="Rossi-Bianchi")
    second_page = body(client.get("/abonnement/envoyee"))
    assert first.status_code == second.status_code == 303
    assert [d.email for d in rows()] == ["anne.rossi@exemple.mc"] * 2
    first_ref, second_ref = (re.search(r'class="reference">([^<]+)<', p).group(1) for p in (first_page, second_page))
    assert first_ref != second_ref
    assert first_page.replace(first_ref, "REF") == second_page.replace(second_ref, "REF")


def test_a_double_post_of_one_form_makes_one_request(requester, client, app_ctx):
    first = requester.send()
    again = requester.send(fresh=False)  # the same page posted once more (a double tap, a retry)
    assert first.status_code == again.status_code == 303
    assert count() == 1
    assert rows()[0].reference in client.get("/abonnement/envoyee").get_data(as_text=True)


@pytest.mark.parametrize("overrides, stored", [
    ({"carte": "sans_carte", "rpps": "", "adeli": ""}, (None, None, True)),
    ({"carte": "carte", "rpps": "", "adeli": "06 123 456 7"}, ("061234567", None, False)),
    ({"carte": None, "rpps": "10100000008", "adeli": "061234567"}, ("061234567", "10100000008", False)),
    ({"mobile": "", "fixe": ""}, (None, "10003456786", False)),
])
def test_card_choices_and_optional_phones_accepted(requester, app_ctx, overrides, stored):
    assert requester.send(**overrides).status_code == 303
    [demande] = rows()
    if "mobile" in overrides:
        assert (demande.mobile, demande.fixe) == (None, None)
    assert (demande.adeli, demande.rpps, demande.sans_carte_cps) == stored


@pytest.mark.parametrize("profession", ["medecin", "dentiste", "infirmier", "orthophoniste", "kine", "orthoptiste",
                                        "sagefemme"])
def test_each_profession(requester, app_ctx, profession):
    assert requester.send(profession=profession).status_code == 303
    assert rows()[0].profession == profession


# --- Refused fields ---------------------------------------------------------------------------

LUHN = ("Ce n° RPPS n'existe pas : un chiffre est erroné ou deux sont inversés (sa clé de contrôle ne correspond pas). "
        "Recopiez-le depuis votre carte.")


@pytest.mark.parametrize("field, typed, message", [
    ("nom", "", "Saisissez votre nom."),
    ("nom", "Rossi2", "Saisissez des lettres : seuls les espaces, tirets, apostrophes et points les accompagnent."),
    ("prenom", "   ", "Saisissez votre prénom."),
    ("prenom", "<script>alert(1)</script>", "Saisissez des lettres"),
    ("adeli", "06123456", "Le n° ADELI compte 9 chiffres (ici 8)."),
    ("rpps", "10003456787", LUHN),
    ("rpps", "1000345678", "Le n° RPPS compte 11 chiffres (ici 10)."),
    ("rpps", "1000345678X", "Le n° RPPS ne contient que des chiffres (11)."),
    ("email", "", "Saisissez votre adresse électronique : elle est obligatoire."),
    ("email", "anne.rossi@exemple", "Après « @ », saisissez le domaine complet, par exemple prenom.nom@exemple.mc."),
    ("email", "anne rossi@exemple.mc", "Une adresse électronique ne contient pas d'espace."),
    ("mobile", "93 15 43 44", "Ce numéro est celui d'un téléphone fixe : saisissez-le dans « Tél. fixe »"),
    ("mobile", "+39 333 123 4567", "Seuls les numéros de Monaco (+377) et de France (+33) sont acceptés."),
    ("mobile", "06 12 34", "Ce numéro français est incomplet ou n'existe pas"),
    ("mobile", "mon portable", "Saisissez un numéro de téléphone"),
    ("fixe", "06 12 34 56 78", "Ce numéro est celui d'un mobile : saisissez-le dans « Tél. mobile »"),
    ("fixe", "+377 12 34 56 78", "Ce numéro de Monaco est incomplet ou n'existe pas"),
    ("fait_a", "", "Saisissez la commune où vous faites la demande."),
    ("fait_a", "Monaco 98000", "Saisissez des lettres"),
    ("fait_le", "", "Saisissez la date du jour."),
    ("fait_le", "31/02/2026", "Date invalide : saisissez-la au format jj/mm/aaaa."),
    ("fait_le", f"{today_in_monaco() + timedelta(days=1):%d/%m/%Y}", "La date ne peut pas être dans le futur"),
    ("fait_le", f"{today_in_monaco() - timedelta(days=10):%d/%m/%Y}", "Datez la demande du jour où vous l'envoyez"),
    ("nom", "x" * 301, "300 caractères au plus."),
])
def test_a_refused_field_shows_its_message_keeps_the_input_and_stores_nothing(requester, app_ctx, field, typed,
                                                                               message):
    response = requester.send(**{field: typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, field).startswith(message)
    assert (input_value(html, field) or "") == typed  # the input kept, as typed
    tag = input_tag(html, field)
    assert 'aria-invalid="true"' in tag and re.search(rf'aria-describedby="[^"]*\b{field}-erreur"', tag)
    assert NOT_SENT in body(response) and f'<li><a href="#{field}">' in html  # the summary links to it
    assert " autofocus " in input_tag(html, field)  # the first zone to correct has the focus
    assert html.count(" autofocus") == 1
    # What was typed elsewhere is kept too.
    assert input_value(html, "email" if field != "email" else "nom") in ("anne.rossi@exemple.mc", "Rossi")
    assert "checked" in input_tag(html, "profession-0")  # « Médecin » still ticked
    assert count() == 0
    assert db.session.scalar(select(func.count()).select_from(JournalAudit)) == 0


@pytest.mark.parametrize("overrides, field, message", [
    ({"profession": None}, "profession", "Cochez votre profession."),
    ({"profession": "veterinaire"}, "profession", "Cochez votre profession."),
    ({"carte": None, "rpps": "", "adeli": ""}, "carte",
     "Saisissez votre n° ADELI ou RPPS, ou cochez « ne pas disposer d'une carte de professionnel de santé »."),
    ({"carte": "carte", "rpps": "", "adeli": ""}, "carte",
     "Saisissez le n° ADELI ou le n° RPPS de votre carte (l'un des deux au moins)."),
    ({"carte": "sans_carte"}, "carte",
     "Vous avez saisi un n° ADELI ou RPPS : cochez « disposer d'une carte… », ou effacez les numéros."),
    ({"contrat_accepte": None}, "contrat_accepte",
     "Cochez cette case pour accepter le contrat : sans cette acceptation, la demande ne peut pas être envoyée."),
])
def test_choices_the_request_needs(requester, app_ctx, overrides, field, message):
    response = requester.send(**overrides)
    html = body(response)
    assert response.status_code == 422 and field_error(html, field) == message
    assert count() == 0
    if field == "carte" and overrides.get("carte") == "sans_carte":
        assert input_value(html, "rpps") == "10003456786"  # the numbers kept, the choice left to him


def test_an_unticked_contract_comes_back_unticked_with_the_rest_kept(requester, app_ctx):
    html = body(requester.send(contrat_accepte=None, carte=None))
    assert "checked" in input_tag(html, "carte-0")  # the RPPS typed: the card box shown ticked
    assert 'aria-invalid="true"' in input_tag(html, "contrat_accepte") and "checked" not in input_tag(html, "contrat_accepte")
    assert input_value(html, "rpps") == "10003456786" and input_value(html, "fait_a") == "Monaco"


def test_htmx_gets_the_forms_region_with_its_messages(requester, app_ctx):
    response = requester.send(headers=HX, rpps="10003456787")
    html = body(response)
    assert response.status_code == 422 and "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<div id="demande-abonnement"') and "<html" not in html
    assert field_error(html, "rpps") == LUHN and count() == 0


def test_a_corrected_request_after_a_refusal_goes_through(requester, app_ctx):
    refused = requester.send(rpps="10003456787")
    assert refused.status_code == 422
    again = re.search(r'id="jeton" name="jeton" type="hidden" value="([^"]+)"', refused.get_data(as_text=True)).group(1)
    assert again == requester.jeton  # the same page's token, kept
    assert requester.send(fresh=False).status_code == 303 and count() == 1
