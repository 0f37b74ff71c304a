"""The FSE page tried as a new user would (issue 8, item 9): no state left without a control, no
stale household after a failed lookup, the focus where the next action happens, an expired CSRF
token that keeps the input."""

import re
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from app.extensions import db
from app.models import Beneficiaire, Fse, JournalAudit, LigneFse
from tests.fse.test_fse import HX

EXPIRED = "Le formulaire a expiré : vérifiez votre saisie et validez à nouveau."


def draft() -> Fse:
    db.session.expire_all()
    return db.session.scalar(select(Fse).where(Fse.statut == "brouillon"))


def autofocused(html: str) -> list[str]:
    """The ids of the elements that carry `autofocus` in a response."""
    return re.findall(r'<(?:input|button|select|textarea)\b[^>]*?\bid="([^"]+)"[^>]*?\bautofocus\b', html) + \
        re.findall(r'<(?:input|button|select|textarea)\b[^>]*?\bautofocus\b[^>]*?\bid="([^"]+)"', html)


def conditions(desk, day, **extra):
    return desk.post("/fse/conditions", {"date_soins": day.strftime("%d/%m/%Y"), "nature": "maladie", **extra})


# --- 1. No state left in force without a control to change it ---------------------------------

def test_a_new_household_starts_without_the_previous_patients_depassement(desk):
    desk.identify("100002", "R4M8")  # rose: a pondération is allowed
    desk.choose(0)
    desk.ngap("C")
    assert desk.billing(ponderation="1,15").status_code == 302
    desk.identify("100001", "K7P2")  # verte: no dépassement, and no field to clear one
    desk.choose(0)
    fse = draft()
    assert (fse.montant_facture_saisi, fse.ponderation, fse.hnp) == (None, None, False)
    assert desk.totals()["facture"] == "30,00 €"
    summary = desk.post("/fse/valider", {})
    assert summary.status_code == 200 and "sans dépassement" not in summary.get_data(as_text=True)


def test_the_depassement_belongs_to_the_fse_within_the_same_household(desk):
    desk.identify("100003", "B9X3", "CAMTI")  # bulle: Philippe and Hélène Notari
    desk.choose(0)
    desk.ngap("C")
    assert desk.billing(montant="33").status_code == 302
    desk.choose(1)  # the other member of the same household
    desk.identify("100003", "B9X3", "CAMTI")  # the same card read again
    desk.choose(1)
    assert draft().montant_facture_saisi == 33 and desk.totals()["facture"] == "33,00 €"


@pytest.mark.parametrize("billing", [{"montant": "36"}, {"ponderation": "1,2"}], ids=["montant", "ponderation"])
def test_a_depassement_goes_with_the_last_line_of_the_basket(desk, billing):
    desk.identify("100002", "R4M8")
    desk.choose(0)
    desk.ngap("C")
    assert desk.billing(**billing).status_code == 302
    line_id = re.search(r'/fse/lignes/(\d+)/supprimer', desk.client.get("/fse").get_data(as_text=True)).group(1)
    assert desk.post(f"/fse/lignes/{line_id}/supprimer", {}).status_code == 302
    fse = draft()
    assert (fse.montant_facture_saisi, fse.ponderation) == (None, None)
    desk.ngap("V")  # a new basket starts at its base
    assert desk.totals()["facture"] == desk.totals()["base"]


def test_hnp_is_unticked_when_a_new_date_of_care_closes_the_rights(desk):
    desk.identify("100005", "F5C1")  # Louis Palmaro: rights closed since last month
    droits_fin = db.session.scalar(select(Beneficiaire.droits_fin).where(Beneficiaire.nom == "Palmaro"))
    assert conditions(desk, droits_fin).status_code == 302
    assert desk.choose(0).status_code == 302
    desk.ngap("C")
    assert desk.billing(hnp=True).status_code == 302 and draft().hnp
    assert conditions(desk, droits_fin + timedelta(days=1)).status_code == 302
    page = desk.client.get("/fse").get_data(as_text=True)
    assert 'id="hnp-case"' not in page  # no box to untick it...
    assert draft().hnp is False  # ...so it is not left ticked
    assert "HNP non permis" not in desk.post("/fse/valider", {}).get_data(as_text=True)


def test_conditions_a_profession_is_not_shown_are_not_stored(desk):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    draft_day = draft().date_soins
    assert conditions(desk, draft_day, serie="y", prescripteur="Dr Rey", date_prescription="01/01/2026",
                      entente_numero="E-42", entente_date="01/01/2026").status_code == 302
    fse = draft()
    assert (fse.serie, fse.prescripteur, fse.date_prescription, fse.entente_numero, fse.entente_date) == \
        (False, None, None, None, None)


def test_a_dentist_keeps_the_entente_but_not_a_prescriber(dentist):
    dentist.identify("100003", "B9X3", "CAMTI")
    dentist.choose(0)
    assert conditions(dentist, draft().date_soins, prescripteur="Dr Rey", date_prescription="01/01/2026",
                      entente_numero="E-42", entente_date="01/01/2026").status_code == 302
    fse = draft()
    assert (fse.entente_numero, fse.prescripteur, fse.date_prescription) == ("E-42", None, None)


# --- 2. A failed lookup shows no household; the basket is kept -------------------------------

@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
@pytest.mark.parametrize("matricule, code", [("100002", "ZZZZ"), ("10000", "R4M8"), ("100002", "")],
                         ids=["inconnu", "format", "vide"])
def test_a_failed_lookup_shows_no_household_and_keeps_the_basket(desk, headers, matricule, code):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    response = desk.identify(matricule, code, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'value="{matricule}"' in html and "Bellando" not in html and "Carte verte" not in html
    fse = draft()
    assert (fse.foyer_id, fse.beneficiaire_id, len(fse.lignes)) == (None, None, 1)
    assert "Bellando" not in desk.client.get("/fse").get_data(as_text=True)  # a reload agrees
    desk.identify("100002", "R4M8")
    desk.choose(0)
    page = desk.client.get("/fse").get_data(as_text=True)
    assert "Sophie Crovetto" in page and "/supprimer" in page and desk.totals()["base"] == "30,00 €"


def test_a_failed_lookup_leaves_no_depassement_without_its_fields(desk):
    desk.identify("100002", "R4M8")
    desk.choose(0)
    desk.ngap("C")
    desk.billing(ponderation="1,2")
    assert desk.identify("100002", "ZZZZ").status_code == 422
    page = desk.client.get("/fse").get_data(as_text=True)
    assert 'id="ponderation"' not in page  # no household, so no billing fields...
    assert (draft().ponderation, draft().montant_facture_saisi) == (None, None)  # ...and nothing left behind


# --- 3. The focus goes where the next action happens -----------------------------------------

def test_after_identification_the_first_member_who_can_be_chosen_has_the_focus(desk):
    fragment = desk.identify("100001", "K7P2", headers=HX).get_data(as_text=True)
    first = re.search(r'name="beneficiaire_id" value="(\d+)"', fragment).group(1)
    assert autofocused(fragment) == [f"membre-{first}"]
    page = desk.client.get("/fse").get_data(as_text=True)  # without JavaScript: the page after the redirect
    assert autofocused(page) == [f"membre-{first}"]


def test_after_choosing_the_member_the_first_entry_field_has_the_focus(desk):
    desk.identify("100001", "K7P2")
    member = desk.member_ids()[0]
    fragment = desk.post("/fse/beneficiaire", {"beneficiaire_id": member}, headers=HX).get_data(as_text=True)
    assert autofocused(fragment) == ["lettre"]
    assert autofocused(desk.client.get("/fse").get_data(as_text=True)) == ["lettre"]


def test_a_dentist_gets_the_ccam_code_field_after_choosing_the_member(dentist):
    dentist.identify("100003", "B9X3", "CAMTI")
    member = dentist.member_ids()[0]
    fragment = dentist.post("/fse/beneficiaire", {"beneficiaire_id": member}, headers=HX).get_data(as_text=True)
    assert autofocused(fragment) == ["code"]


@pytest.mark.parametrize("kind, field", [("ngap", "lettre"), ("ccam", "code")])
def test_after_adding_a_line_the_code_field_of_that_entry_line_has_the_focus(desk, kind, field):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    add = (lambda **kw: desk.ngap("C", **kw)) if kind == "ngap" else (lambda **kw: desk.ccam("ZBQK002", **kw))
    fragment = add(headers=HX)
    assert fragment.status_code == 200 and autofocused(fragment.get_data(as_text=True)) == [field]
    assert add().status_code == 302
    assert autofocused(desk.client.get("/fse").get_data(as_text=True)) == [field]


def test_after_an_error_the_field_in_error_has_the_focus(desk):
    error = desk.identify("100001", "K7", headers=HX)
    assert error.status_code == 422 and autofocused(error.get_data(as_text=True)) == ["code_fse"]
    desk.identify("100001", "K7P2")
    desk.choose(0)
    for headers in (HX, {}):
        error = desk.ngap("C", coefficient="abc", headers=headers)
        assert error.status_code == 422 and autofocused(error.get_data(as_text=True)) == ["coefficient"]
    error = desk.ccam("PASUNCODE", headers=HX)
    assert error.status_code == 422 and autofocused(error.get_data(as_text=True)) == ["code"]
    error = desk.post("/fse/conditions", {"date_soins": "31/02/2026", "nature": "maladie"}, headers=HX)
    assert error.status_code == 422 and autofocused(error.get_data(as_text=True)) == ["date_soins"]


def test_a_plain_page_without_household_focuses_the_matricule(desk):
    assert autofocused(desk.client.get("/fse").get_data(as_text=True)) == ["matricule"]


# --- 4. An expired CSRF token re-renders the form with the input kept ------------------------

def stale_token(client, app, age=13 * 3600):
    """A token of this session signed `age` seconds ago (WTF_CSRF_TIME_LIMIT is 12 h)."""
    with client.session_transaction() as session:
        raw = session["csrf_token"]

    class Past(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - age

    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token", signer=Past).dumps(raw)


def fresh_token_in(html, stale):
    tokens = set(re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html))
    assert tokens and stale not in tokens
    return tokens.pop()


@pytest.mark.parametrize("headers, status", [({}, 400), (HX, 422)], ids=["page", "htmx"])
def test_an_expired_token_on_an_entry_line_keeps_the_input_and_adds_nothing(desk, app, headers, status):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    stale = stale_token(desk.client, app)
    response = desk.client.post("/fse/ngap", data={"lettre": "V", "coefficient": "2,5", "diviseur": "1",
                                                   "majorations": ["MD"], "csrf_token": stale}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == status and EXPIRED.replace("'", "&#39;") in html.replace("'", "&#39;")
    assert re.search(r'<input[^>]*id="lettre"[^>]*value="V"', html) and 'value="2,5"' in html
    assert re.search(r'checked[^>]*value="MD"|value="MD"[^>]*checked', html)
    assert db.session.scalar(select(func.count()).select_from(LigneFse)) == 0
    if headers:
        assert response.headers["HX-Retarget"] == "#fse" and "<html" not in html
    token = fresh_token_in(html, stale)
    again = desk.client.post("/fse/ngap", data={"lettre": "V", "coefficient": "1", "diviseur": "1",
                                                "csrf_token": token})
    assert again.status_code == 302 and db.session.scalar(select(func.count()).select_from(LigneFse)) == 1


def test_an_expired_token_on_the_identification_keeps_the_card_and_looks_nothing_up(desk, app):
    desk.client.get("/fse")
    stale = stale_token(desk.client, app)
    response = desk.client.post("/fse/patient", data={"matricule": "100002", "code_fse": "R4M8", "caisse": "CCSS",
                                                      "csrf_token": stale})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Le formulaire a expiré" in html
    assert 'value="100002"' in html and 'value="R4M8"' in html and "Crovetto" not in html
    assert db.session.scalar(select(func.count()).select_from(JournalAudit)
                             .where(JournalAudit.action == "patient.recherche")) == 0
    fresh_token_in(html, stale)


def test_a_token_of_another_session_on_the_billing_form_keeps_the_amount(desk, app, auth):
    desk.identify("100002", "R4M8")
    desk.choose(0)
    desk.ngap("C")
    other = app.test_client()
    foreign = re.search(r'name="csrf_token" value="([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"',
                        other.get("/connexion").get_data(as_text=True))
    foreign = foreign.group(1) or foreign.group(2)
    response = desk.client.post("/fse/facturation", data={"montant_facture": "35,5", "ponderation": "",
                                                          "csrf_token": foreign})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Le formulaire a expiré" in html and 'value="35,5"' in html
    assert draft().montant_facture_saisi is None


def test_a_missing_token_is_still_a_plain_400(desk):
    response = desk.client.post("/fse/ngap", data={"lettre": "C", "coefficient": "1", "diviseur": "1"})
    assert response.status_code == 400 and "Le formulaire a expiré" not in response.get_data(as_text=True)


def test_an_expired_token_on_the_sign_in_keeps_the_identifiant_never_the_password(client, app, demo_accounts):
    client.get("/connexion")
    stale = stale_token(client, app)
    response = client.post("/connexion", data={"identifiant": "medecin.demo", "mot_de_passe": "Demo-FSE-2026",
                                               "csrf_token": stale})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Le formulaire a expiré" in html
    assert 'value="medecin.demo"' in html and "Demo-FSE-2026" not in html
    with client.session_transaction() as session:
        assert "attente" not in session and "_user_id" not in session
    fresh_token_in(html, stale)


def test_an_expired_token_on_transmettre_sends_back_to_the_page_and_transmits_nothing(desk, app):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    summary = desk.post("/fse/valider", {}).get_data(as_text=True)
    jeton = re.search(r'name="jeton" type="hidden" value="([^"]+)"', summary).group(1)
    stale = stale_token(desk.client, app)
    response = desk.client.post("/fse/transmettre", data={"jeton": jeton, "csrf_token": stale}, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/fse"
    assert "Le formulaire a expiré" in desk.client.get("/fse").get_data(as_text=True)
    page = desk.client.post("/fse/transmettre", data={"jeton": jeton, "csrf_token": stale})
    assert page.status_code == 400 and "Le formulaire a expiré" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Fse).where(Fse.statut == "transmise")) == 0


def test_an_expired_token_on_a_new_card_leaves_no_previous_household_under_it(desk, app):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    stale = stale_token(desk.client, app)
    response = desk.client.post("/fse/patient", data={"matricule": "100002", "code_fse": "R4M8", "caisse": "CCSS",
                                                      "csrf_token": stale}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="100002"' in html
    assert "Bellando" not in html and "Bellando" not in desk.client.get("/fse").get_data(as_text=True)


def test_a_retry_of_transmettre_on_a_deleted_fse_shows_its_record(desk):
    from app.history import services as history_services

    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    jeton, sent = desk.validate_and_transmit()
    fse_id = int(sent.headers["Location"].split("/")[-2])
    fse = db.session.get(Fse, fse_id)
    fse.statut, fse.statut_change_le = "supprimee", history_services.now()
    db.session.commit()
    again = desk.post("/fse/transmettre", {"jeton": jeton})
    followed = desk.client.get(again.headers["Location"])
    assert followed.status_code == 302 and followed.headers["Location"].endswith(f"/historique/{fse_id}")
    assert desk.client.get(followed.headers["Location"]).status_code == 200
