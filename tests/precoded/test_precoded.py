"""« FSE pré-codées » through the real routes: saved from the FSE page, applied, renamed, deleted."""

import html as html_module
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.models import FsePrecodee, JournalAudit, LigneFse, LignePrecodee, Tarif
from tests.conftest import AuthActions

HX = {"HX-Request": "true"}


class Desk:
    """Someone at the FSE page and the « FSE pré-codées » tab, every step through the real forms."""

    def __init__(self, auth):
        self.auth, self.client = auth, auth.client

    def post(self, path, data, get_path="/fse", **kwargs):
        return self.auth.post(path, data, get_path=get_path, **kwargs)

    def html(self, path="/fse"):
        return text(self.client.get(path))

    def start(self, matricule="100001", code="K7P2", member=3, day=None):
        """A fresh FSE for a member of a household (Hugo Bellando by default), on a date of care."""
        self.post("/fse/reinitialiser", {})
        assert self.post("/fse/patient", {"matricule": matricule, "code_fse": code, "caisse": "CCSS"}).status_code == 302
        ids = re.findall(r'name="beneficiaire_id" value="(\d+)"', self.html())
        assert self.post("/fse/beneficiaire", {"beneficiaire_id": ids[member]}).status_code == 302
        if day is not None:
            assert self.post("/fse/conditions", {"date_soins": day.isoformat(), "nature": "maladie"}).status_code == 302

    def ngap(self, lettre, coefficient="1", majorations=()):
        response = self.post("/fse/ngap", {"lettre": lettre, "coefficient": coefficient, "diviseur": "1",
                                           "majorations": list(majorations)})
        assert response.status_code == 302, text(response)

    def ccam(self, code):
        response = self.post("/fse/ccam", {"code": code, "activite": "1", "phase": "0", "association": "1"})
        assert response.status_code == 302, text(response)

    def save(self, nom, **kwargs):
        return self.post("/fse-precodees/enregistrer", {"nom": nom}, **kwargs)

    def apply(self, basket_id, **kwargs):
        return self.post(f"/fse-precodees/{basket_id}/appliquer", {}, **kwargs)

    def totals(self):
        return {name: value.replace("\u00a0", " ")
                for name, value in re.findall(r'data-total="(\w+)">([^<]+)<', self.html())}

    def basket_details(self):
        page = self.html()
        panier = page.split('id="panier"')[1] if 'id="panier"' in page else ""
        return re.findall(r"<td class=\"nowrap\"><strong>([^<]+)</strong>", panier)


def text(response):
    """A response's HTML with its entities decoded (« s'appelle » is escaped as &#39;)."""
    return html_module.unescape(response.get_data(as_text=True))


def basket_named(nom):
    return db.session.scalar(select(FsePrecodee).where(FsePrecodee.nom == nom))


def fresh(basket):
    """The basket as the database holds it now (each request closes the test's session)."""
    db.session.rollback()
    return db.session.get(FsePrecodee, basket.id)


def audit_actions(prefix="precodee."):
    return [row.action for row in db.session.scalars(select(JournalAudit).where(JournalAudit.action.like(prefix + "%"))
                                                    .order_by(JournalAudit.numero))]


@pytest.fixture
def desk(auth):
    auth.login("medecin.demo")
    return Desk(auth)


@pytest.fixture
def saved(desk):
    """medecin.demo's basket « Consultation + MD » (C 1 + MD), saved from the FSE page."""
    desk.start()
    desk.ngap("C", majorations=["MD"])
    assert desk.save("Consultation + MD").status_code == 302
    desk.post("/fse/reinitialiser", {})
    return basket_named("Consultation + MD")


@pytest.fixture
def future_act(app):
    """A sample letter key ZZ for médecins whose tariff starts on 01/06/2026 (reference data: removed after)."""
    with app.app_context():
        db.session.add(Tarif(type="NGAP", code="ZZ", profession="medecin", date_effet=date(2026, 6, 1),
                             montant=Decimal("12.00"), libelle="Acte de test"))
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(delete(Tarif).where(Tarif.code == "ZZ"))
        db.session.commit()


def test_save_from_the_fse_page_keeps_the_acts_as_entered(desk):
    desk.start()
    desk.ngap("C", majorations=["MD"])
    desk.ccam("DEQP003")
    assert 'id="precodee-enregistrer"' in desk.html() and "Nom de la FSE pré-codée" in desk.html()
    response = desk.save("  Consultation   + ECG ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/fse")
    basket = basket_named("Consultation + ECG")
    assert basket.nom_cle == "consultation + ecg"
    assert [(l.rang, l.type, l.code, l.libelle) for l in basket.lignes] == [
        (1, "NGAP", "C", "C 1 + MD"), (2, "CCAM", "DEQP003", "DEQP003 act. 1 ph. 0 asso. 1")]
    assert basket.lignes[0].parametres.split("|")[1:] == ["1", "MD"]
    assert Decimal(basket.lignes[0].parametres.split("|")[0]) == 1
    assert basket.lignes[1].parametres == "1|0||1"
    page = desk.html()
    assert "FSE pré-codée « Consultation + ECG » enregistrée" in page
    assert re.search(rf'action="/fse-precodees/{basket.id}/appliquer"', page)
    assert audit_actions() == ["precodee.creation"]
    row = db.session.scalar(select(JournalAudit).where(JournalAudit.action == "precodee.creation"))
    assert row.objet_id == str(basket.id) and "Consultation" not in (row.details or "")


def test_save_as_a_fragment_returns_the_form_and_the_list_out_of_band(desk):
    desk.start()
    desk.ngap("C")
    response = desk.save("Consultation simple", headers=HX)
    html = text(response)
    assert response.status_code == 200 and "<html" not in html and "Vary" in response.headers
    assert 'id="precodee-enregistrer"' in html
    assert "enregistrée" in html and 'id="precodees"' in html and 'hx-swap-oob="true"' in html
    assert "Consultation simple" in html.split('id="precodees"')[1]


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
@pytest.mark.parametrize("nom", ["consultation + md", "CONSULTATION + MD", "Cônsultation  +  MD"])
def test_a_name_already_used_is_refused_whatever_its_case_or_accents(desk, saved, nom, headers):
    desk.start()
    desk.ngap("C")
    response = desk.save(nom, headers=headers)
    html = text(response)
    assert response.status_code == 422
    assert "Une FSE pré-codée s'appelle déjà « Consultation + MD »" in html
    assert f'value="{" ".join(nom.split())}"' in html and 'aria-invalid="true"' in html
    assert ("<html" in html) is not bool(headers)
    assert db.session.scalar(select(func.count()).select_from(FsePrecodee)) == 1


def test_an_empty_basket_an_empty_name_or_a_long_one_are_refused(desk):
    desk.start()
    empty = desk.save("Rien")
    assert empty.status_code == 422 and "Le panier est vide" in text(empty)
    desk.ngap("C")
    assert "Donnez un nom" in text(desk.save("   "))
    too_long = desk.save("x" * 61, headers=HX)
    assert too_long.status_code == 422 and "60 caractères au plus" in text(too_long)
    assert desk.save("x" * 60).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(FsePrecodee)) == 1


def test_the_list_is_offered_once_a_beneficiary_is_chosen(desk, saved):
    desk.post("/fse/patient", {"matricule": "100001", "code_fse": "K7P2", "caisse": "CCSS"})
    assert f"/fse-precodees/{saved.id}/appliquer" not in desk.html()
    refused = desk.apply(saved.id)
    assert refused.status_code == 302
    assert "Choisissez d'abord le bénéficiaire" in desk.html()
    assert db.session.scalar(select(func.count()).select_from(LigneFse)) == 0
    desk.start()
    page = desk.html()
    assert page.index(f"/fse-precodees/{saved.id}/appliquer") < page.index('id="ngap"')  # above the entry lines


def test_applied_as_a_page_it_appends_and_is_priced_for_the_date_of_care(desk, saved):
    desk.start()
    desk.ccam("DEQP003")
    response = desk.apply(saved.id)
    assert response.status_code == 302 and response.headers["Location"].endswith("/fse")
    assert "« Consultation + MD » : 1 acte ajouté au panier" in desk.html()
    assert desk.basket_details() == ["DEQP003 act. 1 ph. 0 asso. 1", "C 1 + MD"]  # appended, as favourites
    assert desk.totals()["base"] == "54,26 €"  # 14,26 + C 30,00 (2026) + MD 10,00
    desk.start(day=date(2025, 12, 15))  # C was 28,00 € until 31/12/2025
    desk.apply(saved.id)
    assert desk.totals() == {"base": "38,00 €", "facture": "38,00 €", "depassement": "0,00 €",
                             "caisse": "30,40 €", "patient": "7,60 €"}


def test_applied_as_a_fragment_it_swaps_the_basket(desk, saved):
    desk.start()
    response = desk.apply(saved.id, headers=HX)
    html = text(response)
    assert response.status_code == 200 and "<html" not in html and "Vary" in response.headers
    assert html.lstrip().startswith('<section id="panier"') and "C 1 + MD" in html
    assert "1 acte ajouté au panier" in html and 'data-total="base">40,00' in html


def test_an_act_without_a_tariff_that_day_is_named_and_the_others_are_added(desk, future_act):
    desk.start(day=date(2026, 6, 1))
    desk.ngap("C", majorations=["MD"])
    desk.ngap("ZZ", coefficient="2")
    desk.ngap("C")
    assert desk.save("Trois actes").status_code == 302
    basket = basket_named("Trois actes")
    desk.start(day=date(2026, 3, 2))
    response = desk.apply(basket.id, headers=HX)
    html = text(response)
    assert response.status_code == 200
    assert ("L'acte ZZ 2 n'est pas ajouté : la lettre clé ZZ n'a pas de tarif pour la profession médecin au "
            "02/03/2026 : elle ne peut pas être ajoutée.") in html
    assert "2 actes ajoutés au panier" in html
    assert desk.basket_details() == ["C 1 + MD", "C 1"] and desk.totals()["base"] == "70,00 €"
    desk.start(day=date(2025, 12, 31))  # nothing has a tariff? C has: only ZZ is left out
    without_js = desk.apply(basket.id)
    assert without_js.status_code == 302
    page = desk.html()
    assert "L'acte ZZ 2 n'est pas ajouté : la lettre clé ZZ n'a pas de tarif pour la profession médecin au 31/12/2025" in page
    assert desk.totals()["base"] == "66,00 €"


def test_nothing_added_when_no_act_has_a_tariff(desk, saved, future_act):
    basket = FsePrecodee(praticien_id=saved.praticien_id, nom="ZZ seul", nom_cle="zz seul")
    basket.lignes.append(LignePrecodee(rang=1, type="NGAP", code="ZZ", parametres="1|1|", libelle="ZZ 1"))
    db.session.add(basket)
    db.session.commit()
    basket_id = basket.id
    desk.start()
    with_today = desk.apply(basket_id, headers=HX)
    assert with_today.status_code == 200  # today (after 01/06/2026) ZZ has its tariff
    desk.start(day=date(2026, 5, 31))
    response = desk.apply(basket_id, headers=HX)
    assert response.status_code == 422
    assert "L'acte ZZ 1 n'est pas ajouté : la lettre clé ZZ n'a pas de tarif pour la profession médecin au 31/05/2026" in text(response)
    assert desk.basket_details() == []


def test_the_tab_lists_each_basket_with_its_base_at_todays_tariffs(desk, saved, future_act):
    desk.start(day=date(2025, 12, 15))
    desk.ngap("C")
    desk.ccam("DEQP003")
    desk.save("Consultation + ECG")
    page = desk.html("/fse-precodees")
    today = today_in_monaco().strftime("%d/%m/%Y")
    assert f"Tarif de base au {today}" in page
    totals = re.findall(r"data-precodee-total>([^<]+)<", page)
    assert [t.replace("\u00a0", " ") for t in totals] == ["44,26 €", "40,00 €"]  # today's C (30,00), not 28,00
    assert page.index("Consultation + ECG") < page.index("Consultation + MD")  # by name
    assert "C 1 + MD" in page and "DEQP003 act. 1 ph. 0 asso. 1" in page
    # An act whose tariff is not in force today is shown as such, not as 0.
    basket = basket_named("Consultation + ECG")
    db.session.execute(delete(Tarif).where(Tarif.code == "ZZ"))
    db.session.add(Tarif(type="NGAP", code="ZZ", profession="medecin", date_effet=date(2099, 1, 1),
                         montant=Decimal("12.00"), libelle="Acte de test"))
    basket.lignes.append(LignePrecodee(rang=3, type="NGAP", code="ZZ", parametres="1|1|", libelle="ZZ 1"))
    db.session.commit()
    detail = desk.html(f"/fse-precodees/{basket.id}")
    assert f"sans tarif au {today}" in detail and "Consultation au cabinet (médecin)" in detail
    assert "44,26" in detail and "(hors actes sans tarif)" in detail
    assert f"(sans tarif au {today})" in desk.html("/fse-precodees")


def test_renamed_with_the_same_rules(desk, saved):
    desk.start()
    desk.ngap("C")
    desk.save("Consultation")
    form = desk.html(f"/fse-precodees/{saved.id}/renommer")
    assert 'value="Consultation + MD"' in form and re.search(r'name="version" type="hidden" value="1"', form)
    path = f"/fse-precodees/{saved.id}/renommer"
    taken = desk.post(path, {"nom": "CONSULTATION", "version": "1"}, get_path=path)
    assert taken.status_code == 422 and "s'appelle déjà « Consultation »" in text(taken)
    assert 'value="CONSULTATION"' in text(taken)
    assert desk.post(path, {"nom": "", "version": "1"}, get_path=path).status_code == 422
    done = desk.post(path, {"nom": "Consultation avec déplacement", "version": "1"}, get_path=path)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/fse-precodees/{saved.id}")
    renamed = fresh(saved)
    assert (renamed.nom, renamed.nom_cle, renamed.version) == ("Consultation avec déplacement",
                                                         "consultation avec deplacement", 2)
    assert "precodee.renommage" in audit_actions()
    same_again = desk.post(path, {"nom": "consultation avec DÉPLACEMENT", "version": "2"}, get_path=path)
    assert same_again.status_code == 302  # its own name, other case: allowed


def test_two_tabs_renaming_the_same_basket_the_second_gets_a_conflict(desk, saved):
    path = f"/fse-precodees/{saved.id}/renommer"
    first = desk.post(path, {"nom": "Premier onglet", "version": "1"}, get_path=path)
    assert first.status_code == 302
    second = desk.post(path, {"nom": "Second onglet", "version": "1"}, get_path=path)
    html = text(second)
    assert second.status_code == 409
    assert "modifiée entre-temps" in html and "son nom actuel est « Premier onglet »" in html
    assert 'value="Second onglet"' in html and re.search(r'name="version" type="hidden" value="2"', html)
    assert fresh(saved).nom == "Premier onglet"
    assert desk.post(path, {"nom": "Second onglet", "version": "x"}, get_path=path).status_code == 409


def test_deleted_after_a_confirmation(desk, saved):
    path = f"/fse-precodees/{saved.id}/supprimer"
    confirm = desk.html(path)
    assert "Supprimer « Consultation + MD » ?" in confirm and "Confirmer la suppression" in confirm
    response = desk.post(path, {}, get_path=path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/fse-precodees")
    assert "« Consultation + MD » a été supprimée" in desk.html("/fse-precodees")
    assert db.session.scalar(select(func.count()).select_from(FsePrecodee)) == 0
    assert db.session.scalar(select(func.count()).select_from(LignePrecodee)) == 0
    assert audit_actions() == ["precodee.creation", "precodee.suppression"]
    assert desk.client.get(path).status_code == 404


def test_the_assistant_uses_and_manages_the_praticiens_list(desk, saved, app, auth):
    assistant = Desk(AuthActions(app.test_client(), auth.clock))
    assistant.auth.login("assistant.demo", "Assistant-FSE-2026")
    assert "Consultation + MD" in assistant.html("/fse-precodees")
    assistant.start()
    assert assistant.apply(saved.id).status_code == 302
    assert assistant.totals()["base"] == "40,00 €"
    path = f"/fse-precodees/{saved.id}/renommer"
    assert assistant.post(path, {"nom": "C + MD", "version": "1"}, get_path=path).status_code == 302
    assert "C + MD" in desk.html("/fse-precodees")
    row = db.session.scalar(select(JournalAudit).where(JournalAudit.action == "precodee.renommage"))
    assert row.praticien_id == saved.praticien_id


def test_another_praticien_gets_404_on_every_route(desk, saved, app, auth):
    dentist = Desk(AuthActions(app.test_client(), auth.clock))
    dentist.auth.login("dentiste.demo")
    assert "Consultation + MD" not in dentist.html("/fse-precodees")
    base = f"/fse-precodees/{saved.id}"
    for path in (base, base + "/renommer", base + "/supprimer"):
        assert dentist.client.get(path).status_code == 404, path
    for path, data in ((base + "/renommer", {"nom": "Volé", "version": "1"}), (base + "/supprimer", {}),
                       (base + "/appliquer", {})):
        assert dentist.post(path, data).status_code == 404, path
        assert dentist.post(path, data, headers=HX).status_code == 404, path
    assert fresh(saved).nom == "Consultation + MD" and len(fresh(saved).lignes) == 1


@pytest.mark.parametrize("headers,status", [({}, 400), (HX, 422)], ids=["page", "fragment"])
def test_a_token_of_another_session_keeps_the_typed_name_and_saves_nothing(desk, app, headers, status):
    desk.start()
    desk.ngap("C")
    other = app.test_client()
    foreign = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', text(other.get("/connexion"))).group(1)
    response = desk.client.post("/fse-precodees/enregistrer", data={"nom": "Ma consultation", "csrf_token": foreign},
                                headers=headers)
    html = text(response)
    assert response.status_code == status and "Le formulaire a expiré" in html and 'value="Ma consultation"' in html
    assert db.session.scalar(select(func.count()).select_from(FsePrecodee)) == 0


def foreign_token(app):
    """A CSRF token of another session: what an expired form carries."""
    other = app.test_client()
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', text(other.get("/connexion"))).group(1)


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
def test_applied_twice_the_acts_are_added_with_a_warning(desk, headers):
    desk.start()
    desk.ngap("C")
    desk.ccam("DEQP003")
    desk.save("Consultation + ECG")
    basket = basket_named("Consultation + ECG")
    first = desk.apply(basket.id, headers=headers)  # the basket already holds both acts
    html = text(first) if headers else desk.html()
    assert ("Attention : le panier contenait déjà C 1, DEQP003 act. 1 ph. 0 asso. 1 : vérifiez qu'il ne s'agit "
            "pas d'un doublon.") in html
    assert "2 actes ajoutés au panier" in html
    assert desk.basket_details() == ["C 1", "DEQP003 act. 1 ph. 0 asso. 1"] * 2


def test_no_warning_when_the_basket_held_none_of_the_acts(desk, saved):
    desk.start()
    desk.ngap("C")  # C 1, not C 1 + MD: another entry
    html = text(desk.apply(saved.id, headers=HX))
    assert "1 acte ajouté" in html and "Attention" not in html


def test_the_apply_button_is_disabled_while_its_request_runs(desk, saved):
    desk.start()
    page = desk.html()
    form = re.search(rf'<form[^>]*action="/fse-precodees/{saved.id}/appliquer"[^>]*>', page).group(0)
    assert 'hx-disabled-elt="find button"' in form


def test_a_refused_act_is_named_with_the_reason(desk, saved):
    basket = FsePrecodee(praticien_id=saved.praticien_id, nom="ECG mod N", nom_cle="ecg mod n")
    basket.lignes.append(LignePrecodee(rang=1, type="CCAM", code="DEQP003", parametres="1|0|N|1",
                                       libelle="DEQP003 act. 1 ph. 0 mod. N asso. 1"))
    basket.lignes.append(LignePrecodee(rang=2, type="NGAP", code="C", parametres="1|1|MD,MD", libelle="C 1 + MD + MD"))
    db.session.add(basket)
    db.session.commit()
    basket_id = basket.id
    desk.start()
    response = desk.apply(basket_id, headers=HX)
    html = text(response)
    assert response.status_code == 422
    assert ("L'acte DEQP003 act. 1 ph. 0 mod. N asso. 1 n'est pas ajouté : le modificateur N n'est pas permis "
            "pour la profession médecin.") in html
    assert "L'acte C 1 + MD + MD n'est pas ajouté : une majoration ne peut figurer qu'une fois." in html
    assert "n'a pas de tarif" not in html


@pytest.mark.parametrize("headers,status", [({}, 400), (HX, 422)], ids=["page", "fragment"])
def test_an_expired_token_on_apply_shows_the_fse_page_and_applies_nothing(desk, saved, app, headers, status):
    desk.start()
    response = desk.client.post(f"/fse-precodees/{saved.id}/appliquer", data={"csrf_token": foreign_token(app)},
                                headers=headers)
    html = text(response)
    assert response.status_code == status and "Le formulaire a expiré" in html
    assert 'id="fse"' in html and ("<html" in html) is not bool(headers)
    if headers:
        assert response.headers["HX-Retarget"] == "#fse"
    assert db.session.scalar(select(func.count()).select_from(LigneFse)) == 0


def test_an_expired_token_on_rename_keeps_the_typed_name_and_renames_nothing(desk, saved, app):
    path = f"/fse-precodees/{saved.id}/renommer"
    response = desk.client.post(path, data={"nom": "Mon nouveau nom", "version": "1", "csrf_token": foreign_token(app)})
    html = text(response)
    assert response.status_code == 400
    assert "Le formulaire a expiré : vérifiez votre saisie et validez à nouveau." in html
    assert 'value="Mon nouveau nom"' in html and "Renommer « Consultation + MD »" in html
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    assert fresh(saved).nom == "Consultation + MD"
    again = desk.client.post(path, data={"nom": "Mon nouveau nom", "version": "1", "csrf_token": token})
    assert again.status_code == 302 and fresh(saved).nom == "Mon nouveau nom"  # the fresh token works


def test_an_expired_token_on_delete_shows_the_confirmation_again(desk, saved, app):
    path = f"/fse-precodees/{saved.id}/supprimer"
    response = desk.client.post(path, data={"csrf_token": foreign_token(app)})
    html = text(response)
    assert response.status_code == 400 and "Le formulaire a expiré" in html
    assert "Confirmer la suppression" in html and fresh(saved) is not None


def test_an_expired_token_on_another_praticiens_basket_stays_a_404(desk, saved, app, auth):
    dentist = Desk(AuthActions(app.test_client(), auth.clock))
    dentist.auth.login("dentiste.demo")
    for path in (f"/fse-precodees/{saved.id}/renommer", f"/fse-precodees/{saved.id}/supprimer"):
        response = dentist.client.post(path, data={"nom": "Volé", "version": "1", "csrf_token": foreign_token(app)})
        assert response.status_code == 404 and "Consultation + MD" not in text(response)


def test_the_tab_speaks_to_the_praticien_and_to_the_assistant(desk, saved, app, auth):
    assert "pour votre profession" in desk.html("/fse-precodees")
    assistant = Desk(AuthActions(app.test_client(), auth.clock))
    assistant.auth.login("assistant.demo", "Assistant-FSE-2026")
    page = assistant.html("/fse-precodees")
    assert "pour votre profession" not in page and "pour la profession du Dr " in page
