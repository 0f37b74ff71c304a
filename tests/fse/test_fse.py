"""« Élaborer une FSE » through the real routes, as a page and as htmx fragments."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.models import Fse, JournalAudit, RegleCouleur
from tests.conftest import AuthActions

HX = {"HX-Request": "true"}


class Desk:
    """A praticien at the FSE page: every step through the real forms."""

    def __init__(self, auth):
        self.auth, self.client = auth, auth.client

    def post(self, path, data, **kwargs):
        return self.auth.post(path, data, get_path="/fse", **kwargs)

    def identify(self, matricule, code, caisse="CCSS", **kwargs):
        return self.post("/fse/patient", {"matricule": matricule, "code_fse": code, "caisse": caisse}, **kwargs)

    def member_ids(self):
        return re.findall(r'name="beneficiaire_id" value="(\d+)"', self.client.get("/fse").get_data(as_text=True))

    def choose(self, index):
        return self.post("/fse/beneficiaire", {"beneficiaire_id": self.member_ids()[index]})

    def ngap(self, lettre, coefficient="1", diviseur="1", majorations=(), **kwargs):
        return self.post("/fse/ngap", {"lettre": lettre, "coefficient": coefficient, "diviseur": diviseur,
                                       "majorations": list(majorations)}, **kwargs)

    def ccam(self, code, association="1", modificateurs=(), **kwargs):
        return self.post("/fse/ccam", {"code": code, "activite": "1", "phase": "0", "association": association,
                                       "modificateurs": list(modificateurs)}, **kwargs)

    def billing(self, montant="", ponderation="", hnp=False, **kwargs):
        data = {"montant_facture": montant, "ponderation": ponderation}
        if hnp:
            data["hnp"] = "y"
        return self.post("/fse/facturation", data, **kwargs)

    def totals(self):
        html = self.client.get("/fse").get_data(as_text=True)
        return {name: value.replace("\u00a0", " ") for name, value in re.findall(r'data-total="(\w+)">([^<]+)<', html)}

    def validate_and_transmit(self):
        summary = self.post("/fse/valider", {})
        assert summary.status_code == 200, summary.get_data(as_text=True)
        jeton = re.search(r'name="jeton" type="hidden" value="([^"]+)"', summary.get_data(as_text=True)).group(1)
        return jeton, self.post("/fse/transmettre", {"jeton": jeton})


def test_medecin_bills_c_and_md_for_the_child_and_transmits(desk):
    assert desk.identify("100001", "K7P2").status_code == 302
    page = desk.client.get("/fse").get_data(as_text=True)
    assert "Marc Bellando" in page and "Hugo Bellando" in page and "Carte verte" in page
    assert desk.choose(3).status_code == 302  # Hugo, under 5
    assert desk.ngap("C", majorations=["MD"]).status_code == 302
    assert desk.totals() == {"base": "40,00 €", "facture": "40,00 €", "depassement": "0,00 €",
                             "caisse": "32,00 €", "patient": "8,00 €"}
    jeton, response = desk.validate_and_transmit()
    assert response.status_code == 302
    ack = desk.client.get(response.headers["Location"]).get_data(as_text=True)
    number = re.search(r"data-accuse>([^<]+)<", ack).group(1)
    assert re.fullmatch(r"CCSS-\d{8}-[0-9A-F]{10}", number)
    fse = db.session.scalar(select(Fse).where(Fse.statut == "transmise"))
    assert (fse.patient_prenom, fse.total_facture, fse.part_caisse) == ("Hugo", 40, 32)
    assert fse.compte_id == fse.transmise_par_id
    audit = db.session.scalar(select(JournalAudit).where(JournalAudit.action == "fse.transmission"))
    assert audit.objet_id == str(fse.id) and audit.praticien_id == fse.praticien_id


def test_a_double_tap_a_retry_or_two_tabs_make_exactly_one_fse(desk):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    jeton, first = desk.validate_and_transmit()
    again = desk.post("/fse/transmettre", {"jeton": jeton})
    assert again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Fse).where(Fse.statut == "transmise")) == 1


def test_wrong_pairs_get_one_neutral_message_and_are_audited(desk):
    for matricule, code, caisse in [("100001", "K7P3", "CCSS"), ("999999", "K7P2", "CCSS"), ("100001", "K7P2", "CAMTI")]:
        response = desk.identify(matricule, code, caisse)
        assert response.status_code == 422
        assert "Matricule ou code FSE incorrect pour cette caisse" in response.get_data(as_text=True)
    rows = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "patient.recherche")).all()
    assert [r.resultat for r in rows] == ["echec"] * 3
    assert all("100001" not in (r.details or "") for r in rows)


def test_identification_is_throttled_and_never_in_the_url(desk):
    for _ in range(5):
        desk.identify("100001", "AAAA")
    assert desk.identify("100001", "K7P2").status_code == 429
    # htmx swaps 2xx and 422 only: the throttled lookup's message comes as a 422 fragment.
    fragment = desk.identify("100001", "K7P2", headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and "Trop de tentatives" in fragment.get_data(as_text=True)
    # A card in a URL is never read: its GET is sent back to the page, without the query.
    sent_back = desk.client.get("/fse/patient?matricule=100001&code_fse=K7P2")
    assert sent_back.status_code == 303 and sent_back.headers["Location"] == "/fse"
    page = desk.client.get("/fse").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/fse/patient"', page)


def test_format_errors_are_next_to_the_field_and_keep_the_input(desk):
    response = desk.identify("12ab", "K7P2")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Le matricule compte 6 chiffres." in html and 'value="12ab"' in html


def test_closed_rights_are_shown_but_cannot_be_picked(desk):
    desk.identify("100005", "F5C1")
    page = desk.client.get("/fse").get_data(as_text=True)
    assert "Droits fermés" in page and "ne peut pas être choisi(e)" in page
    assert re.search(r'name="beneficiaire_id" value="\d+" class="member"\s+disabled', page)
    response = desk.choose(0)
    assert response.status_code == 422
    assert db.session.scalar(select(Fse.beneficiaire_id)) is None


def test_info_etm_shows_the_exoneration_and_it_pays_in_full(desk):
    desk.identify("100004", "E2T6")
    page = desk.client.get("/fse").get_data(as_text=True)
    assert "Info ETM" in page and "Affection de la liste des affections de longue durée (ALD liste)" in page
    desk.choose(0)
    desk.ngap("C")
    assert desk.totals()["caisse"] == "30,00 €" and desk.totals()["patient"] == "0,00 €"


def test_rose_card_pondération_1_15_accepted_1_25_refused(desk):
    desk.identify("100002", "R4M8")
    desk.choose(0)
    desk.ngap("C")
    assert desk.billing(ponderation="1,15").status_code == 302
    assert desk.totals()["facture"] == "34,50 €" and desk.totals()["depassement"] == "4,50 €"
    refused = desk.billing(ponderation="1,25")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "coefficient maximum de la carte rose est 1,20" in html
    assert 'value="1,25"' in html  # the input is kept
    assert desk.totals()["facture"] == "34,50 €"  # nothing changed


def test_typed_amount_above_the_ceiling_is_refused(desk):
    desk.identify("100002", "R4M8")
    desk.choose(0)
    desk.ngap("C")
    assert desk.billing(montant="36,01").status_code == 422
    assert desk.billing(montant="36").status_code == 302
    assert desk.totals()["facture"] == "36,00 €"


def test_hnp_box_on_a_green_card_only(desk, auth, app):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    assert 'id="hnp-case"' in desk.client.get("/fse").get_data(as_text=True)
    for matricule, code, caisse in (("100002", "R4M8", "CCSS"), ("100003", "B9X3", "CAMTI")):
        desk.identify(matricule, code, caisse)
        desk.choose(0)
        page = desk.client.get("/fse").get_data(as_text=True)
        assert 'id="hnp-case"' not in page and "HNP : non proposé" in page


@pytest.fixture
def hnp_on_rose(app_ctx):
    rule = db.session.get(RegleCouleur, "rose")
    rule.hnp = True
    db.session.commit()
    yield
    rule = db.session.get(RegleCouleur, "rose")
    rule.hnp = False
    db.session.commit()


def test_with_hnp_allowed_on_rose_the_box_goes_as_soon_as_a_dépassement_is_entered(desk, hnp_on_rose):
    desk.identify("100002", "R4M8")
    desk.choose(0)
    desk.ngap("C")
    assert 'id="hnp-case"' in desk.client.get("/fse").get_data(as_text=True)
    fragment = desk.billing(ponderation="1,10", headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and 'id="hnp-case"' not in html and "un dépassement" in html


def test_dentist_bills_hbjd001_and_hbqk389_in_association_2(dentist):
    dentist.identify("100003", "B9X3", "CAMTI")
    dentist.choose(0)
    assert dentist.ccam("HBJD001").status_code == 302
    assert dentist.ccam("HBQK389", association="2").status_code == 302
    totals = dentist.totals()
    assert totals["base"] == "32,91 €"  # 28.92 + 7.98 / 2
    assert "RDD" in dentist.client.get("/fse").get_data(as_text=True)
    jeton, response = dentist.validate_and_transmit()
    assert response.status_code == 302


def test_an_act_without_a_tariff_for_the_profession_cannot_be_added(desk):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    response = desk.ngap("AMI", "2")
    assert response.status_code == 422
    assert "n'a pas de tarif pour la profession" in response.get_data(as_text=True).replace("&#39;", "'")
    response = desk.ccam("HBJD001")
    assert response.status_code == 422


def test_htmx_add_returns_only_the_basket_and_an_error_retargets_the_entry_line(desk):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    fragment = desk.ngap("C", headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and 'id="panier"' in html
    assert 'id="ngap" method="post"' in html and 'hx-swap-oob="true"' in html  # a fresh entry line
    assert "HX-Request" in fragment.headers["Vary"]
    error = desk.ngap("C", coefficient="0", headers=HX)
    assert error.status_code == 422 and error.headers["HX-Retarget"] == "#ngap"
    assert "Le coefficient doit être supérieur à 0." in error.get_data(as_text=True)


def test_removing_a_line_updates_the_totals(desk):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    desk.ngap("V", majorations=["MD"])
    assert desk.totals()["base"] == "75,00 €"
    line_ids = re.findall(r'/fse/lignes/(\d+)/supprimer', desk.client.get("/fse").get_data(as_text=True))
    desk.post(f"/fse/lignes/{line_ids[0]}/supprimer", {})
    assert desk.totals()["base"] == "45,00 €"


def test_future_date_refused_old_date_blocks_transmission(desk):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    today = today_in_monaco()
    future = desk.post("/fse/conditions", {"date_soins": (today + timedelta(days=1)).isoformat(), "nature": "maladie"})
    assert future.status_code == 302
    summary = desk.post("/fse/valider", {})
    assert summary.status_code == 422 and "ne peut pas être dans le futur" in summary.get_data(as_text=True)
    desk.post("/fse/conditions", {"date_soins": (today - timedelta(days=6)).isoformat(), "nature": "maladie"})
    summary = desk.post("/fse/valider", {})
    assert summary.status_code == 422 and "Soins de plus de 5 jours" in summary.get_data(as_text=True)


def test_the_draft_survives_a_new_sign_in(desk, auth):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    auth.logout()
    auth.login("medecin.demo")
    assert desk.totals()["base"] == "30,00 €"


def test_another_praticien_never_sees_an_fse(desk, app, auth):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    jeton, response = desk.validate_and_transmit()
    location = response.headers["Location"]
    other = AuthActions(app.test_client(), auth.clock)
    other.login("dentiste.demo")
    assert other.client.get(location).status_code == 404
    assert other.post("/fse/transmettre", {"jeton": jeton}, get_path="/fse").headers["Location"].endswith("/fse")


def test_favourites_give_one_tap_reuse(desk):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("V", majorations=["MD"])
    line_id = re.search(r'/fse/lignes/(\d+)/favori', desk.client.get("/fse").get_data(as_text=True)).group(1)
    desk.post(f"/fse/lignes/{line_id}/favori", {})
    favourite = re.search(r'/fse/favoris/(\d+)', desk.client.get("/fse").get_data(as_text=True)).group(1)
    desk.post(f"/fse/favoris/{favourite}", {})
    assert desk.totals()["base"] == "90,00 €"


def test_ccam_autocomplete_on_code_and_label(desk):
    by_label = desk.client.get("/fse/ccam/recherche?q=detartrage", headers=HX).get_data(as_text=True)
    assert "HBJD001" in by_label and "<html" not in by_label
    by_code = desk.client.get("/fse/ccam/recherche?code=HBQK3", headers=HX).get_data(as_text=True)
    assert "HBQK389" in by_code
    page = desk.client.get("/fse/ccam/recherche?q=radiographie+thorax")
    assert page.status_code == 200 and "ZBQK002" in page.get_data(as_text=True) and "<html" in page.get_data(as_text=True)


def test_reset_asks_then_empties(desk):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    assert "Réinitialiser la FSE ?" in desk.client.get("/fse/reinitialiser").get_data(as_text=True)
    desk.auth.post("/fse/reinitialiser", {}, get_path="/fse/reinitialiser")
    page = desk.client.get("/fse").get_data(as_text=True)
    assert "Le panier est vide" not in page and "Marc Bellando" not in page
