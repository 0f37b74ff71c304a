"""« Journal d'activité » through the real routes: whose rows, filters, pagination, access, secrets."""

import html as html_module
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from app.audit.services import record
from app.demo.activity import transmitted_fse
from app.demo.seed import ASSISTANT_SECRET, DEMO_PRATICIENS
from app.extensions import db
from app.models import Beneficiaire, Compte, Foyer, Fse, JournalAudit
from app.models.types import utcnow

HX = {"HX-Request": "true"}
TABLET = ("192.0.2.31", "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/131.0.0.0 Safari/537.36")
MARCH = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def account(identifiant):
    return db.session.scalar(select(Compte).where(Compte.identifiant == identifiant))


def add(identifiant, action, at, resultat="succes", **fields):
    """An audit row written as the portal writes them, at a chosen instant, from the tablet."""
    compte = account(identifiant) if identifiant else None
    record(action, resultat, compte=compte, horodatage=at, origine=TABLET, **fields)


def cells(html, label):
    """The text of one column, row by row (tags removed, spaces squeezed)."""
    found = re.findall(rf'<td data-label="{label}"[^>]*>(.*?)</td>', html, flags=re.S)
    return [" ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in found]


def transmitted(identifiant, acts, at):
    """A transmitted FSE of the account's praticien for Hugo Bellando's household, priced for real."""
    member = db.session.scalar(select(Beneficiaire).join(Foyer).where(Foyer.matricule == "100001",
                                                                     Beneficiaire.rang == 1))
    fse = transmitted_fse(db.session, account(identifiant), member, at.date(), acts, at)
    db.session.flush()
    return fse


@pytest.fixture
def practice(auth):
    """A month of March for medecin.demo, his assistant and dentiste.demo; then medecin.demo signs in.
    `practice.fse` holds their transmitted FSE (12, 13: medecin.demo's; 99: dentiste.demo's)."""
    fse = {12: transmitted("medecin.demo", [("NGAP", "C", "1|1|")], MARCH + timedelta(minutes=5)),
           13: transmitted("medecin.demo", [("NGAP", "C", "1|1|")], MARCH + timedelta(days=1, hours=1)),
           99: transmitted("dentiste.demo", [("CCAM", "HBQK002", "1|0||1")], MARCH + timedelta(hours=3))}
    add("medecin.demo", "connexion", MARCH)
    add("medecin.demo", "fse.transmission", MARCH + timedelta(minutes=5), objet_type="fse", objet_id=fse[12].id)
    add("assistant.demo", "patient.recherche", MARCH + timedelta(hours=1), objet_type="foyer", objet_id=4)
    add("assistant.demo", "connexion.code", MARCH + timedelta(days=1), "echec", details="code refusé")
    add("assistant.demo", "fse.transmission", MARCH + timedelta(days=1, hours=1), objet_type="fse", objet_id=fse[13].id)
    add("medecin.demo", "fse.export", MARCH + timedelta(days=2), details="Bellando Marc 100001")
    add("medecin.demo", "assistant.modification", MARCH + timedelta(days=3), objet_type="compte",
        objet_id=account("assistant.demo").id)
    add("dentiste.demo", "ordiposte.decompte", MARCH + timedelta(hours=2), objet_type="ordiposte", objet_id=5)
    add("dentiste.demo", "fse.transmission", MARCH + timedelta(hours=3), objet_type="fse", objet_id=fse[99].id)
    # an unknown identifiant's failed sign-in belongs to nobody's journal
    record("connexion.mot_de_passe", "echec", identifiant="inconnu.demo", horodatage=MARCH, origine=TABLET)
    db.session.commit()
    ids = {key: (value.id, value.accuse_reception) for key, value in fse.items()}
    auth.login("medecin.demo")
    auth.fse = ids
    return auth


def ref(practice, key):
    """The accusé de réception of one of the fixture's FSE: how the journal names it."""
    return practice.fse[key][1]


def journal(client, headers=None, **params):
    return client.get("/profil/journal", query_string=params, headers=headers)


def test_praticien_sees_his_rows_and_his_assistants_not_another_praticiens(practice):
    response = journal(practice.client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1" in html
    people = set(cells(html, "Personne"))
    assert people == {"vous", "Camille Rey"}
    actions = cells(html, "Action")
    assert f"FSE transmise · {ref(practice, 12)}" in actions and f"FSE transmise · {ref(practice, 13)}" in actions
    assert "Recherche d'un patient" in actions  # which household stays out
    assert "Code de double authentification refusé (code refusé)" in actions
    assert "Validité d'un(e) assistant(e) modifiée · Camille Rey" in actions
    assert "Export CSV de l'historique" in actions  # its free-text detail is never shown
    assert ref(practice, 99) not in html and "Fiche de décompte" not in html and "Passeron" not in html
    assert "inconnu.demo" not in html and "FSE n°" not in html
    assert "10/03/2026 10:00:00" in cells(html, "Date")  # 09:00 UTC is 10:00 in Monaco in March
    assert "192.0.2.31 · Chrome sur Android" in cells(html, "Origine")
    assert {"Réussi", "Échec"} <= set(cells(html, "Résultat"))


def test_newest_first_by_journal_order(practice):
    html = journal(practice.client, du="2026-03-01", au="2026-03-31").get_data(as_text=True)
    assert cells(html, "Date")[0].startswith("13/03/2026") and cells(html, "Date")[-1] == "10/03/2026 10:00:00"


def test_page_and_fragment(practice):
    page = journal(practice.client, groupe="fse")
    fragment = journal(practice.client, headers=HX, groupe="fse")
    assert "<html" in page.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert 'id="journal"' in body and ref(practice, 12) in body
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_filter_by_person(practice):
    assistant_id = account("assistant.demo").id
    html = journal(practice.client, personne=assistant_id).get_data(as_text=True)
    assert set(cells(html, "Personne")) == {"Camille Rey"} and len(cells(html, "Personne")) == 3
    html = journal(practice.client, personne=account("medecin.demo").id).get_data(as_text=True)
    assert set(cells(html, "Personne")) == {"vous"}
    assert re.search(rf'<option (selected value="{assistant_id}"|value="{assistant_id}" selected)', html) is None
    html = journal(practice.client, personne=assistant_id).get_data(as_text=True)
    assert re.search(rf'<option (selected value="{assistant_id}"|value="{assistant_id}" selected)', html)


def test_filter_by_group(practice):
    html = journal(practice.client, groupe="fse").get_data(as_text=True)
    assert cells(html, "Action") == ["Export CSV de l'historique", f"FSE transmise · {ref(practice, 13)}",
                                      f"FSE transmise · {ref(practice, 12)}"]
    html = journal(practice.client, groupe="securite").get_data(as_text=True)
    labels = set(cells(html, "Action"))
    assert "Connexion réussie" in labels and "Mot de passe accepté" in labels  # today's sign-in too
    assert not any("FSE" in label or "patient" in label for label in labels)
    html = journal(practice.client, groupe="patients").get_data(as_text=True)
    assert cells(html, "Action") == ["Recherche d'un patient"]
    assert "Aucun évènement" in journal(practice.client, groupe="formulaires").get_data(as_text=True)


def test_filter_by_period_in_monaco_days(practice):
    # June is summer time (UTC+2): a Monaco day runs from 22:00 UTC the day before
    add("medecin.demo", "deconnexion", datetime(2026, 6, 9, 21, 59, tzinfo=UTC))   # 09/06 23:59 Monaco
    add("medecin.demo", "deconnexion", datetime(2026, 6, 9, 22, 30, tzinfo=UTC))   # 10/06 00:30 Monaco
    add("medecin.demo", "deconnexion", datetime(2026, 6, 11, 21, 59, tzinfo=UTC))  # 11/06 23:59 Monaco
    add("medecin.demo", "deconnexion", datetime(2026, 6, 11, 22, 0, tzinfo=UTC))   # 12/06 00:00 Monaco
    db.session.commit()
    html = journal(practice.client, du="10/06/2026", au="11/06/2026").get_data(as_text=True)
    assert cells(html, "Date") == ["11/06/2026 23:59:00", "10/06/2026 00:30:00"]
    html = journal(practice.client, du="2026-06-12", au="2026-06-12").get_data(as_text=True)
    assert cells(html, "Date") == ["12/06/2026 00:00:00"]
    html = journal(practice.client, au="2026-06-09").get_data(as_text=True)
    assert cells(html, "Date")[0] == "09/06/2026 23:59:00" and len(cells(html, "Date")) == 8
    html = journal(practice.client, du="2026-06-12").get_data(as_text=True)
    assert "12/06/2026 00:00:00" in cells(html, "Date") and not any("/03/" in d for d in cells(html, "Date"))


def test_filters_combined(practice):
    assistant_id = account("assistant.demo").id
    html = journal(practice.client, personne=assistant_id, groupe="fse", du="2026-03-11",
                   au="2026-03-11").get_data(as_text=True)
    assert cells(html, "Action") == [f"FSE transmise · {ref(practice, 13)}"]
    assert cells(html, "Personne") == ["Camille Rey"]
    html = journal(practice.client, personne=assistant_id, groupe="fse", du="2026-03-10",
                   au="2026-03-10").get_data(as_text=True)
    assert "Aucun évènement" in html


@pytest.mark.parametrize("params, message", [
    ({"du": "2026-03-12", "au": "2026-03-10"}, "La date de fin précède la date de début."),
    ({"du": "31/02/2026"}, "Date invalide : saisissez-la au format jj/mm/aaaa."),
    ({"groupe": "tout"}, "Choisissez un type d'action de la liste."),
])
@pytest.mark.parametrize("headers", [None, HX], ids=["page", "fragment"])
def test_bad_filters_are_refused_next_to_the_field(practice, params, message, headers):
    response = journal(practice.client, headers=headers, **params)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    next_to_field = (r'aria-invalid="true"[^>]*>(?:<option[^>]*>[^<]*</option>|</select>|\s)*'
                     r'<p class="field-error" id="[a-z]+-erreur">')
    assert re.search(next_to_field + re.escape(message), html_module.unescape(html)), html
    assert "<table" not in html
    if "du" in params:
        assert f'value="{params["du"]}"' in html  # the input is kept


def test_another_praticiens_account_in_the_person_filter_is_refused(practice):
    dentiste_id = account("dentiste.demo").id
    response = journal(practice.client, personne=dentiste_id)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choisissez une personne de la liste." in html
    assert ref(practice, 99) not in html and "Passeron" not in html and "<table" not in html


def test_person_choices_are_his_own_accounts_removed_assistant_included(practice):
    assistant = account("assistant.demo")
    assistant.supprime_le = utcnow()
    db.session.commit()
    html = journal(practice.client).get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="personne"[^>]*>(.*?)</select>', html, flags=re.S).group(1)
    people = [html_module.unescape(label) for label in re.findall(r'<option[^>]*>([^<]*)</option>', select_html)]
    assert people == ["Toutes les personnes", "Vous (Claire Lorenzi)", "Camille Rey (supprimé(e))"]
    assert "Camille Rey" in cells(html, "Personne")  # his rows stay, with his name


def test_pagination(practice):
    start = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    for n in range(120):
        add("medecin.demo", "fse.transmission", start + timedelta(minutes=n), objet_type="fse", objet_id=1000 + n)
    db.session.commit()
    first = journal(practice.client, groupe="fse", du="2026-04-01", au="2026-04-01").get_data(as_text=True)
    assert len(cells(first, "Action")) == 50 and cells(first, "Date")[0] == "01/04/2026 11:59:00"
    assert "120 évènements" in first and "page 1 sur 3" in first and "Plus récents" not in first
    following = re.search(r'id="journal-anciens" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "groupe=fse" in following and "du=2026-04-01" in following and "page=2" in following
    second = practice.client.get(following, headers=HX).get_data(as_text=True)
    assert cells(second, "Date")[0] == "01/04/2026 11:09:00" and "Plus récents" in second
    last = journal(practice.client, groupe="fse", du="2026-04-01", au="2026-04-01", page=3).get_data(as_text=True)
    assert len(cells(last, "Action")) == 20 and cells(last, "Date")[-1] == "01/04/2026 10:00:00"
    assert "Plus anciens" not in last
    beyond = journal(practice.client, groupe="fse", du="2026-04-01", au="2026-04-01", page=99).get_data(as_text=True)
    assert "page 3 sur 3" in beyond
    assert "page 1 sur" in journal(practice.client, page="x").get_data(as_text=True)


def test_a_transmitted_fse_is_named_by_its_reference_and_linked_to_its_page(practice):
    fse_id, reference = practice.fse[12]
    assert reference and reference.startswith("CCSS-")
    html = journal(practice.client, groupe="fse").get_data(as_text=True)
    assert f'<a class="journal-object" href="/historique/{fse_id}">{reference}</a>' in html
    assert f"FSE n° {fse_id}" not in html


def test_a_draft_and_another_praticiens_fse_are_neither_numbered_nor_linked(practice, app):
    practice.client.get("/fse")  # medecin.demo opens the FSE page: his draft is made
    draft_id = db.session.scalar(select(Fse.id).where(Fse.statut == "brouillon"))
    dentist_id, dentist_reference = practice.fse[99]
    add("medecin.demo", "fse.reinitialisation", MARCH + timedelta(days=4), objet_type="fse", objet_id=draft_id)
    add("medecin.demo", "fse.suppression", MARCH + timedelta(days=4, minutes=1), "refus", objet_type="fse",
        objet_id=dentist_id)
    add("medecin.demo", "fse.transmission", MARCH + timedelta(days=4, minutes=2), objet_type="fse",
        objet_id=draft_id)  # the same id, still a draft (never happens for real: checks the fallback)
    db.session.commit()
    html = journal(practice.client, groupe="fse", du="2026-03-14", au="2026-03-14").get_data(as_text=True)
    assert cells(html, "Action") == ["FSE transmise · FSE en cours", "Suppression d'une FSE refusée",
                                      "FSE en cours réinitialisée"]
    assert "<a " not in "".join(cells_raw(html, "Action"))
    assert dentist_reference not in html and f"/historique/{dentist_id}" not in html
    assert f"n° {draft_id}" not in html and f"n° {dentist_id}" not in html


def cells_raw(html, label):
    return re.findall(rf'<td data-label="{label}"[^>]*>(.*?)</td>', html, flags=re.S)


def test_queries_do_not_grow_with_the_rows(practice, app):
    def count_queries(**params):
        statements = []

        def spy(conn, cursor, statement, *args):
            statements.append(statement)
        event.listen(db.engine, "before_cursor_execute", spy)
        try:
            assert journal(practice.client, **params).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", spy)
        return [s for s in statements if "journal_audit" in s or "FROM compte" in s]

    few = count_queries(du="2026-03-10", au="2026-03-10")
    for n in range(60):
        add("assistant.demo", "patient.recherche", datetime(2026, 5, 1, 8, n % 60, tzinfo=UTC))
    db.session.commit()
    many = count_queries()
    assert len(many) == len(few)
    assert sum("journal_audit" in s and "count" in s.lower() for s in many) == 1


def test_assistant_gets_403_and_the_attempt_is_logged(auth):
    auth.login("assistant.demo", "Assistant-FSE-2026", secret=ASSISTANT_SECRET)
    assert auth.client.get("/profil/journal").status_code == 403
    assert auth.client.get("/profil/journal", headers=HX, query_string={"groupe": "fse"}).status_code == 403
    refused = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "acces.refuse")).all()
    assert len(refused) == 2
    assert all(row.compte_id == account("assistant.demo").id and row.resultat == "refus"
               and row.objet_id == "profile.journal" for row in refused)
    assert "Journal d'activité" not in auth.client.get("/profil").get_data(as_text=True)


def test_the_profile_page_links_to_the_journal(practice):
    html = practice.client.get("/profil").get_data(as_text=True)
    assert '<a class="button" href="/profil/journal">Journal d\'activité</a>' in html


def test_nothing_secret_after_sign_ins_and_lookups(auth, totp_clock):
    secret = DEMO_PRATICIENS[0].totp_secret
    assert auth.password("medecin.demo", "Mauvais-Passe-2026").status_code == 422
    assert auth.password("Demo-FSE-2026", "medecin.demo").status_code == 422  # fields swapped
    auth.login("medecin.demo")
    code = totp_clock.code(secret, advance=False)
    page = auth.client.get("/fse")
    assert page.status_code == 200
    assert auth.post("/fse/patient", {"matricule": "100001", "code_fse": "K7P2", "caisse": "CCSS"},
                     get_path="/fse").status_code == 302
    assert auth.post("/fse/patient", {"matricule": "100002", "code_fse": "ZZ99", "caisse": "CCSS"},
                     get_path="/fse").status_code in (200, 422)
    html = journal(auth.client).get_data(as_text=True)
    actions = cells(html, "Action")
    assert "Recherche d'un patient" in actions and "Connexion réussie" in actions
    assert "Mot de passe refusé" in actions
    assert "Recherche d'un patient sans résultat (matricule ou code FSE incorrect)" in actions
    for secret_text in ("Demo-FSE-2026", "Mauvais-Passe-2026", code, "K7P2", "ZZ99", "100001", "100002",
                        "Bellando", secret):
        assert secret_text not in html, secret_text
