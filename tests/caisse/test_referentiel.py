"""The agent's « Référentiel »: a tariff file checked whole and previewed (added, changed, unchanged, by
date of effect, retroactive dates flagged; a value already in force refused at its line), then imported
incrementally once confirmed — unless the table or the day changed in between — with each change, old and
new, in its audit row; and the Convention's colour rules changed from a date of effect, replaced while not
in force, cancelled, each audited. The médecin conseil and the practices get 403."""

import io
import re
from html import unescape
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.models import CodeNgap, Compte, ImportReferentiel, JournalAudit, RegleCouleurDatee, Tarif
from app.referentiel import rule_changes, tariff_import
from app.referentiel.importer import SAMPLE_TARIFFS, import_referentiel
from tests.conftest import AuthActions, csrf_from

PAGE = "/caisse/referentiel"
HX = {"HX-Request": "true"}
HEADER = "type;code;professions;valeur;date_effet;libelle"
FILE = "\n".join([
    HEADER,
    "NGAP;C;medecin;32.00;2099-01-01;Consultation au cabinet (médecin)",  # changed (scheduled): 30,00 → 32,00
    "NGAP;G;medecin;26.50;2025-06-01;Consultation de médecine générale",  # added, a new key
    "CCAM;DEQP003;medecin;14.50;2099-01-01;Électrocardiographie sur au moins 12 dérivations",  # added
    "MAJ;MU;medecin;22.60;2099-01-01;Majoration d'urgence",  # added, a new majoration
    "NGAP;CS;medecin;36.50;2025-01-01;Consultation au cabinet (médecin spécialiste)",  # unchanged
]) + "\n"


@pytest.fixture
def restore_tariffs(app):
    """Put the shipped reference data back after a test that imported tariffs."""
    yield
    with app.app_context():
        import_referentiel(db.session)
        db.session.commit()


FUTURE_C = ("NGAP", "C", "medecin", date(2099, 1, 1))


@pytest.fixture
def scheduled(app_ctx, restore_tariffs):
    """A consultation already scheduled for 2099, not in force: a file may still change its value."""
    db.session.add(Tarif(type="NGAP", code="C", profession="medecin", date_effet=date(2099, 1, 1),
                         montant=Decimal("30.00"), libelle="Consultation au cabinet (médecin)"))
    db.session.commit()


@pytest.fixture
def agent(client, totp_clock, demo_accounts):
    actions = AuthActions(client, totp_clock)
    actions.login("agent.demo")
    return actions


def upload(agent, content, name="tarifs-2027.csv", **kwargs):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return agent.post(f"{PAGE}/tarifs/apercu", {"fichier": (io.BytesIO(data), name)}, get_path=PAGE,
                      content_type="multipart/form-data", **kwargs)


def body(response):
    """The response's text, entities decoded."""
    return unescape(response.get_data(as_text=True))


def hidden(html, name):
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def confirm(agent, preview_html, **kwargs):
    fields = {name: hidden(preview_html, name) for name in ("contenu", "nom", "empreinte", "apercu", "jour")}
    return agent.post(f"{PAGE}/tarifs/import", fields, get_path=PAGE, **kwargs)


def tariffs():
    db.session.expire_all()
    return {(t.type, t.code, t.profession, t.date_effet): (t.montant, t.pourcentage, t.libelle)
            for t in db.session.scalars(select(Tarif))}


def audits(action):
    return db.session.scalars(select(JournalAudit).where(JournalAudit.action == action).order_by(JournalAudit.numero)).all()


def agent_id():
    return db.session.scalar(select(Compte.id).where(Compte.identifiant == "agent.demo"))


# --- The page ------------------------------------------------------------------------------

def test_the_page_shows_what_is_loaded_the_rates_and_each_colour(agent):
    html = body(agent.client.get(PAGE))
    assert 'data-count="ccam">8160<' in html and 'data-count="tarifs">48<' in html
    assert "Données d'exemple (non officielles)" in html and "tarifs-exemple.csv" in html
    assert "80 % du tarif de base" in html and "140,14\u00a0€" in html
    assert "Carte verte" in html and "Carte rose" in html and "Carte bulle" in html
    assert "Dépassement autorisé jusqu'à 1,2 × la base (120 %) · HNP non autorisé" in html
    assert "Sans dépassement (tarif de base) · HNP autorisé" in html
    assert html.count("Fichier de la Convention (convention.toml)") == 3


def test_the_médecin_conseil_and_a_praticien_are_refused(client, totp_clock, demo_accounts):
    actions = AuthActions(client, totp_clock)
    actions.login("conseil.demo")
    token = csrf_from(body(client.get("/caisse")))
    assert client.get(PAGE).status_code == 403
    for path in ("/tarifs/apercu", "/tarifs/import", "/regles/rose", "/regles/annulation/1"):
        assert client.post(PAGE + path, data={"csrf_token": token}).status_code == 403
    refused = audits("acces.refuse")
    assert {r.objet_id for r in refused} >= {"caisse.referentiel", "caisse.preview_tarifs", "caisse.change_regle"}
    actions.logout()
    actions.login("medecin.demo")
    assert client.get(PAGE).status_code == 403


# --- The tariff import --------------------------------------------------------------------

def test_a_preview_shows_added_changed_unchanged_by_date_and_writes_nothing(agent, scheduled):
    before = tariffs()
    response = upload(agent, FILE)
    html = body(response)
    assert response.status_code == 200
    assert "5 tarifs dans le fichier" in html
    assert re.search(r'data-total="ajoutes">3 ajoutés<', html) and re.search(r'data-total="modifies">1 modifié<', html)
    assert re.search(r'data-total="inchanges">1 inchangé<', html)
    dates = re.findall(r'data-date-effet="([\d-]+)"', html)
    assert dates == ["2025-06-01", "2099-01-01"]
    assert html.count("data-retroactif") == 1  # 2025-06-01 is past: a new row, allowed and flagged
    assert "<del>30,00\u00a0€</del> → <strong>32,00\u00a0€</strong>" in html
    assert "Nouveaux codes NGAP : <strong>G</strong> (Consultation de médecine générale), " \
           "<strong>MU</strong> (Majoration d'urgence, majoration)." in html
    assert "Confirmer l'import" in html
    assert tariffs() == before and db.session.get(CodeNgap, "G") is None


def test_a_preview_as_a_fragment_is_the_import_region(agent):
    response = upload(agent, FILE, headers=HX)
    html = body(response)
    assert response.status_code == 200 and "Vary" in response.headers
    assert html.lstrip().startswith("{#") is False and "<html" not in html
    assert 'id="tarifs-import"' in html and "Règles par couleur de carte" not in html


@pytest.mark.parametrize("line, message", [
    ("NGAP;C;medecin;trente;2026-01-01;Consultation", "tarifs-2027.csv, ligne 3 : valeur « trente » invalide"),
    ("CCAM;ZZZZ999;medecin;10.00;2026-01-01;Inconnu", "tarifs-2027.csv, ligne 3 : l'acte ZZZZ999 n'existe pas dans la nomenclature CCAM"),
    ("NGAP;C;dentiste;23.00;31/12/2026;Consultation", "ligne 3 : date d'effet « 31/12/2026 » invalide (aaaa-mm-jj)"),
    ("NGAP;C;vétérinaire;23.00;2026-01-01;Consultation", "ligne 3 : profession « vétérinaire » inconnue"),
    ("NGAP;C;medecin;23.00;2026-01-01", "ligne 3 : 5 colonnes au lieu de 6"),
])
def test_a_bad_file_is_refused_whole_with_its_line_and_nothing_is_written(agent, line, message):
    before = tariffs()
    content = "\n".join([HEADER, "NGAP;C;medecin;31.00;2026-01-01;Consultation au cabinet (médecin)", line]) + "\n"
    response = upload(agent, content)
    html = body(response)
    assert response.status_code == 422
    assert message in html and 'class="field-error"' in html
    assert "Confirmer l'import" not in html
    assert tariffs() == before


@pytest.mark.parametrize("content, message", [
    (b"", "Le fichier est vide"),
    (b"   \n", "Le fichier est vide"),
    ("type;code\nNGAP;C\n", "colonne « professions » absente de l'en-tête"),
    ((HEADER + "\nNGAP;C;medecin;30.00;2026-01-01;Consultation é\n").encode("latin-1"),
     "ligne 2 : le fichier n'est pas encodé en UTF-8"),
    (b"x" * (tariff_import.UPLOAD_MAX_BYTES + 1), "Fichier trop volumineux : 1000 ko au plus."),
])
def test_an_empty_unreadable_or_too_large_file_is_refused(agent, content, message):
    response = upload(agent, content)
    assert response.status_code == 422
    assert message in body(response)


def test_no_file_at_all_is_a_422_next_to_the_field(agent):
    response = agent.post(f"{PAGE}/tarifs/apercu", {}, get_path=PAGE, headers=HX)
    html = body(response)
    assert response.status_code == 422 and "Choisissez le fichier de tarifs à importer" in html
    assert 'id="tarifs-import"' in html


def test_confirming_imports_incrementally_in_one_transaction_with_its_audit(agent, scheduled):
    before = tariffs()
    response = confirm(agent, body(upload(agent, FILE)))
    assert response.status_code == 303 and response.headers["Location"].endswith("/caisse/referentiel")
    after = tariffs()
    assert after[FUTURE_C][0] == Decimal("32.00")
    assert after[("NGAP", "G", "medecin", date(2025, 6, 1))] == (Decimal("26.50"), None, "Consultation de médecine générale")
    assert after[("CCAM", "DEQP003", "medecin", date(2099, 1, 1))][0] == Decimal("14.50")
    assert len(after) == len(before) + 3  # nothing deleted
    assert {k: v for k, v in after.items() if k in before and k != FUTURE_C} == \
        {k: v for k, v in before.items() if k != FUTURE_C}
    g, mu = db.session.get(CodeNgap, "G"), db.session.get(CodeNgap, "MU")
    assert (g.majoration, g.code_prestation, g.libelle_nomenclature) == (False, 1110, "CONSULTATION MEDECINE GENERALE")
    assert mu.majoration is True and mu.libelle == "Majoration d'urgence"
    state = db.session.get(ImportReferentiel, "tarifs")
    assert (state.fichier, state.lignes) == ("tarifs-2027.csv", 5)
    assert state.empreinte_sha256 == tariff_import.hashlib.sha256(FILE.encode()).hexdigest()
    assert state.exemple is True  # the sample's other tariffs stay: still a sample
    [row] = audits("caisse.tarifs.import")
    assert row.compte_id == agent_id() and row.resultat == "succes" and row.objet_id == "tarifs"
    assert row.details.startswith("3 tarifs ajoutés, 1 modifiés, 1 inchangés, 2 codes NGAP ajoutés ; fichier tarifs-2027.csv")
    assert row.details.endswith(" ; modifiés (avant → après) : NGAP;C;medecin;2099-01-01 : 30.00 → 32.00")
    page = body(agent.client.get(PAGE))
    assert "Tarifs importés depuis tarifs-2027.csv : 3 ajouté(s), 1 modifié(s), 1 inchangé(s)." in page
    assert 'data-count="tarifs">52<' in page


def test_the_sample_is_flagged_while_its_rows_remain(agent, scheduled):
    html = body(upload(agent, FILE))
    assert re.search(r"Les tarifs resteront marqués « Données d'exemple » : \d+ valeur\(s\) du fichier d'exemple ne "
                     r"sont pas modifiées", html)


def test_a_file_restating_the_sample_leaves_it_a_sample(agent, client, restore_tariffs):
    """47 sample values restated as they were and one label corrected are still the sample's values:
    the banner stays (the whole table becomes official through the CLI's full import only)."""
    lines = SAMPLE_TARIFFS.read_text(encoding="utf-8").splitlines()
    # A label of a tariff in force may be corrected (its value may not).
    official = "\n".join(lines[:2] + [lines[2].replace("(médecin)", "du médecin")] + lines[3:]) + "\n"
    html = body(upload(agent, official, name="tarifs-officiels.csv"))
    assert "Les tarifs resteront marqués « Données d'exemple » : 48 valeur(s)" in html
    assert "flask referentiel import --tarifs FICHIER --officiel" in html
    assert confirm(agent, html).status_code == 303
    assert db.session.get(ImportReferentiel, "tarifs").exemple is True


def test_the_sample_file_itself_changes_nothing_and_offers_no_confirmation(agent):
    html = body(upload(agent, SAMPLE_TARIFFS.read_bytes(), name="tarifs-exemple.csv"))
    assert "Ce fichier ne change aucun tarif." in html and "Confirmer l'import" not in html
    assert re.search(r'data-total="inchanges">48 inchangés<', html)


def test_a_preview_gone_stale_shows_the_new_preview_instead_of_writing(agent, scheduled):
    first = body(upload(agent, FILE))
    # Another agent imports a file changing the same consultation in between.
    other = "\n".join([HEADER, "NGAP;C;medecin;31.00;2099-01-01;Consultation au cabinet (médecin)"]) + "\n"
    assert confirm(agent, body(upload(agent, other))).status_code == 303
    response = confirm(agent, first)
    html = body(response)
    assert response.status_code == 200 and "Les tarifs ont changé depuis l'aperçu" in html
    assert "<del>31,00\u00a0€</del> → <strong>32,00\u00a0€</strong>" in html  # the new preview
    assert tariffs()[FUTURE_C][0] == Decimal("31.00")
    assert db.session.get(CodeNgap, "G") is None
    assert len(audits("caisse.tarifs.import")) == 1
    assert confirm(agent, html).status_code == 303  # the new preview confirmed
    assert tariffs()[FUTURE_C][0] == Decimal("32.00")


def test_a_value_changed_between_the_check_and_the_write_loses_nothing(app, demo_accounts, monkeypatch,
                                                                       scheduled):
    today = today_in_monaco()
    data = FILE.encode()
    seen = tariff_import.preview("tarifs-2027.csv", data, today)
    consultation = db.session.scalar(select(Tarif).where(Tarif.code == "C", Tarif.profession == "medecin",
                                                         Tarif.date_effet == date(2099, 1, 1)))
    consultation.montant = Decimal("31.00")  # a colleague's write, after this agent's check
    db.session.commit()
    real = tariff_import.preview
    calls = iter([seen])
    monkeypatch.setattr(tariff_import, "preview", lambda *args: next(calls, None) or real(*args))
    agent = db.session.get(Compte, agent_id())
    with pytest.raises(tariff_import.StalePreview) as stale:
        tariff_import.apply(agent, "tarifs-2027.csv", data, seen.sha256, seen.fingerprint, today)
    assert stale.value.preview.fingerprint != seen.fingerprint
    assert tariffs()[FUTURE_C][0] == Decimal("31.00")
    assert db.session.get(CodeNgap, "G") is None and not audits("caisse.tarifs.import")


def in_force_file(*lines):
    return "\n".join([HEADER, "NGAP;CS;medecin;36.50;2025-01-01;Consultation au cabinet (médecin spécialiste)",
                      *lines]) + "\n"


IN_FORCE = ("tarifs-2027.csv, ligne 3 : le tarif NGAP C (médecin) du 01/01/2026 est déjà en vigueur "
            "(30,00\u00a0€ ; le fichier indique 32,00\u00a0€) : il ne se corrige pas ; ajoutez la nouvelle valeur "
            "avec sa date d'effet")


def test_a_value_in_force_is_not_rewritten_the_file_is_refused_with_its_line(agent):
    before = tariffs()
    content = in_force_file("NGAP;C;medecin;32.00;2026-01-01;Consultation au cabinet (médecin)",
                            "NGAP;G;medecin;26.50;2025-06-01;Consultation de médecine générale",
                            "MOD;E;*;50%;2025-01-01;Modificateur E")
    response = upload(agent, content)
    html = body(response)
    assert response.status_code == 422 and 'class="field-error"' in html
    assert IN_FORCE + ". Même cas ligne 5" in html
    assert "Confirmer l'import" not in html
    assert tariffs() == before and db.session.get(CodeNgap, "G") is None
    # The way out the message gives: the new value from a date of its own (past: allowed, flagged).
    response = upload(agent, in_force_file("NGAP;C;medecin;32.00;2026-06-01;Consultation au cabinet (médecin)"))
    html = body(response)
    assert response.status_code == 200 and "data-retroactif" in html and "Confirmer l'import" in html
    assert re.search(r'data-total="ajoutes">1 ajouté<', html)


def test_in_force_means_a_date_of_effect_today_or_earlier(app_ctx, scheduled):
    """2099-01-01's value can change until the day before, not from that day on; its label can."""
    data = FILE.encode()
    day_before = tariff_import.preview("tarifs-2027.csv", data, date(2098, 12, 31))
    [change] = [c for g in day_before.groups for c in g.changed]
    assert change.row.key == FUTURE_C and change.old_montant == Decimal("30.00")
    with pytest.raises(tariff_import.parsing.ReferentielError) as refused:
        tariff_import.preview("tarifs-2027.csv", data, date(2099, 1, 1))
    assert refused.value.ligne == 2
    assert "le tarif NGAP C (médecin) du 01/01/2099 est déjà en vigueur" in str(refused.value)
    relabelled = FILE.replace("32.00;2099-01-01;Consultation au cabinet (médecin)",
                              "30.00;2099-01-01;Consultation au cabinet du médecin")
    for day in (date(2099, 1, 1), date(2100, 1, 1)):
        [change] = [c for g in tariff_import.preview("t.csv", relabelled.encode(), day).groups for c in g.changed]
        assert (change.old_libelle, change.row.libelle) == ("Consultation au cabinet (médecin)",
                                                            "Consultation au cabinet du médecin")


def test_a_preview_depends_on_its_day_and_one_of_yesterday_is_not_written(demo_accounts, scheduled):
    data = FILE.encode()
    monday = tariff_import.preview("tarifs-2027.csv", data, date(2098, 6, 1))
    tuesday = tariff_import.preview("tarifs-2027.csv", data, date(2098, 6, 2))
    assert [g.timing for g in monday.groups] == [g.timing for g in tuesday.groups]  # same content…
    assert monday.fingerprint != tuesday.fingerprint  # …but another day
    agent = db.session.get(Compte, agent_id())
    before = tariffs()
    with pytest.raises(tariff_import.StalePreview) as stale:
        tariff_import.apply(agent, "tarifs-2027.csv", data, monday.sha256, monday.fingerprint, date(2098, 6, 2),
                            previewed_on=date(2098, 6, 1))
    assert stale.value.new_day and stale.value.preview.fingerprint == tuesday.fingerprint
    db.session.rollback()
    assert tariffs() == before and not audits("caisse.tarifs.import")
    # Previewed the day before the scheduled value takes effect, confirmed on that day: refused.
    eve = tariff_import.preview("tarifs-2027.csv", data, date(2098, 12, 31))
    with pytest.raises(tariff_import.parsing.ReferentielError, match="est déjà en vigueur"):
        tariff_import.apply(agent, "tarifs-2027.csv", data, eve.sha256, eve.fingerprint, date(2099, 1, 1),
                            previewed_on=date(2098, 12, 31))
    assert tariffs() == before and not audits("caisse.tarifs.import")


def test_a_confirmation_after_midnight_shows_the_preview_again(agent, scheduled, monkeypatch):
    html = body(upload(agent, FILE))
    assert hidden(html, "jour") == today_in_monaco().isoformat()
    before = tariffs()
    tomorrow = today_in_monaco() + timedelta(days=1)
    monkeypatch.setattr("app.caisse.referentiel.today_in_monaco", lambda: tomorrow)
    response = confirm(agent, html)
    again = body(response)
    assert response.status_code == 200 and 'data-stale="jour"' in again
    assert "La date a changé depuis l'aperçu" in again and "Les tarifs ont changé" not in again
    assert hidden(again, "jour") == tomorrow.isoformat()
    assert tariffs() == before and not audits("caisse.tarifs.import")
    assert confirm(agent, again).status_code == 303  # the new preview, confirmed the same day
    assert tariffs()[FUTURE_C][0] == Decimal("32.00")


def test_a_confirmation_once_the_row_came_into_force_is_refused(agent, restore_tariffs, monkeypatch):
    tomorrow = today_in_monaco() + timedelta(days=1)
    db.session.add(Tarif(type="NGAP", code="V", profession="medecin", date_effet=tomorrow, montant=Decimal("36.00"),
                         libelle="Visite au domicile du malade"))
    db.session.commit()
    line = f"NGAP;V;medecin;37.00;{tomorrow.isoformat()};Visite au domicile du malade"
    html = body(upload(agent, in_force_file(line)))
    assert re.search(r'data-total="modifies">1 modifié<', html)
    before = tariffs()
    monkeypatch.setattr("app.caisse.referentiel.today_in_monaco", lambda: tomorrow)
    response = confirm(agent, html)
    assert response.status_code == 422
    assert (f"tarifs-2027.csv, ligne 3 : le tarif NGAP V (médecin) du {tomorrow.strftime('%d/%m/%Y')} est déjà en "
            "vigueur") in body(response)
    assert tariffs() == before and not audits("caisse.tarifs.import")


def test_the_audit_lists_each_change_old_and_new_within_a_cap(demo_accounts, scheduled, monkeypatch):
    db.session.add(Tarif(type="MOD", code="E", profession="*", date_effet=date(2099, 1, 1),
                         pourcentage=Decimal("49"), libelle="Modificateur E"))
    db.session.commit()
    content = "\n".join([HEADER, "NGAP;C;medecin;32.00;2099-01-01;Consultation (médecin)",
                         "MOD;E;*;50%;2099-01-01;Modificateur E"]) + "\n"
    agent = db.session.get(Compte, agent_id())
    today = today_in_monaco()
    seen = tariff_import.preview("t.csv", content.encode(), today)
    tariff_import.apply(agent, "t.csv", content.encode(), seen.sha256, seen.fingerprint, today)
    db.session.commit()
    [row] = audits("caisse.tarifs.import")
    assert row.details.endswith(
        " ; modifiés (avant → après) : MOD;E;*;2099-01-01 : 49% → 50% ; NGAP;C;medecin;2099-01-01 : 30.00 → "
        "32.00, libellé « Consultation au cabinet (médecin) » → « Consultation (médecin) »")
    # Beyond the cap, how many more.
    monkeypatch.setattr(tariff_import, "AUDIT_CHANGES_MAX", 1)
    back = content.replace("32.00", "33.00").replace("50%", "51%")
    seen = tariff_import.preview("t.csv", back.encode(), today)
    tariff_import.apply(agent, "t.csv", back.encode(), seen.sha256, seen.fingerprint, today)
    db.session.commit()
    last = audits("caisse.tarifs.import")[-1]
    assert last.details.endswith(" : MOD;E;*;2099-01-01 : 50% → 51% ; … et 1 autre(s) modification(s)")


def test_a_tampered_or_incomplete_confirmation_is_refused(agent):
    html = body(upload(agent, FILE))
    before = tariffs()
    fields = {name: hidden(html, name) for name in ("contenu", "nom", "empreinte", "apercu")}
    for change in ({"empreinte": "0" * 64}, {"contenu": "pas du base64 !"},
                   {"contenu": tariff_import.pack(FILE.replace("32.00", "99.00").encode())}):
        response = agent.post(f"{PAGE}/tarifs/import", {**fields, **change}, get_path=PAGE)
        assert response.status_code == 422
        assert "n'a pas été renvoyé intact" in body(response)
    response = agent.post(f"{PAGE}/tarifs/import", {}, get_path=PAGE)
    assert response.status_code == 422 and "L'aperçu est incomplet" in body(response)
    assert tariffs() == before and not audits("caisse.tarifs.import")


def test_a_confirmation_with_htmx_is_sent_to_the_page(agent, restore_tariffs):
    html = body(upload(agent, FILE, headers=HX))
    response = confirm(agent, html, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/caisse/referentiel"


def test_packing_carries_the_bytes_and_refuses_a_bomb():
    data = FILE.encode()
    assert tariff_import.unpack(tariff_import.pack(data)) == data
    with pytest.raises(tariff_import.TariffFileError):
        tariff_import.unpack(tariff_import.pack(b"0" * (tariff_import.UPLOAD_MAX_BYTES + 10)))
    assert tariff_import.clean_name("C:\\Users\\x\\tarifs 2027.csv") == "tarifs 2027.csv"
    assert tariff_import.clean_name("") == "tarifs.csv"


# --- The colour rules ---------------------------------------------------------------------

def rule_form(agent, couleur="rose", remplace="", headers=None, **values):
    data = {"depassement": "oui", "coefficient_max": "1,30", "hnp": "non",
            "date_effet": (today_in_monaco() + timedelta(days=30)).strftime("%d/%m/%Y"), "motif": "Avenant n° 12",
            "remplace": remplace, **values}
    page = body(agent.client.get(PAGE))
    token = re.search(rf'name="{couleur}-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    payload = {f"{couleur}-{name}": value for name, value in data.items()}
    return agent.client.post(f"{PAGE}/regles/{couleur}", data={**payload, f"{couleur}-csrf_token": token},
                             headers=headers or {})


def changes():
    db.session.expire_all()
    return db.session.scalars(select(RegleCouleurDatee).order_by(RegleCouleurDatee.date_effet)).all()


def test_a_change_is_scheduled_from_a_date_with_its_audit(agent):
    day = today_in_monaco() + timedelta(days=30)
    response = rule_form(agent)
    assert response.status_code == 303 and response.headers["Location"].endswith("/caisse/referentiel")
    [change] = changes()
    assert (change.couleur, change.date_effet, change.depassement, change.coefficient_max, change.hnp, change.motif) == \
        ("rose", day, True, Decimal("1.30"), False, "Avenant n° 12")
    assert change.cree_par_id == agent_id()
    [row] = audits("caisse.convention.modification")
    assert row.compte_id == agent_id() and row.objet_type == "regle_couleur" and row.objet_id == str(change.id)
    assert f"rose au {day.strftime('%d/%m/%Y')} : dépassement autorisé jusqu'à 1,3 × la base" in row.details
    assert "avant : dépassement autorisé jusqu'à 1,2 × la base, HNP non autorisé" in row.details
    html = body(agent.client.get(PAGE))
    assert f"Règle de la carte rose modifiée à partir du {day.strftime('%d/%m/%Y')}." in html
    assert f'data-prevue="{day.isoformat()}"' in html and "Avenant n° 12" in html
    # Today's rule is unchanged until the date comes.
    assert "Dépassement autorisé jusqu'à 1,2 × la base (120 %) · HNP non autorisé" in html


@pytest.mark.parametrize("values, field, message", [
    ({"date_effet": "TODAY"}, "date_effet", "au plus tôt : une modification ne s'applique pas aux soins déjà facturés"),
    ({"date_effet": "01/01/2020"}, "date_effet", "au plus tôt"),
    ({"date_effet": ""}, "date_effet", "Saisissez la date d'effet"),
    ({"date_effet": "31/02/2030"}, "date_effet", "Date invalide"),
    ({"motif": "   "}, "motif", "Écrivez le motif de la modification"),
    ({"depassement": "non", "coefficient_max": "1,10"}, "coefficient_max", "Sans dépassement autorisé, le coefficient maximal est 1"),
    ({"coefficient_max": "0,9"}, "coefficient_max", "au moins 1"),
    ({"coefficient_max": "130"}, "coefficient_max", "pas un pourcentage"),
    ({"coefficient_max": "1,2"}, "coefficient_max", "cette modification ne changerait rien"),
    ({"hnp": ""}, "hnp", "Choisissez « Oui » ou « Non »"),
])
def test_a_refused_change_says_why_next_to_its_field_and_keeps_the_input(agent, values, field, message):
    if values.get("date_effet") == "TODAY":
        values = {"date_effet": today_in_monaco().strftime("%d/%m/%Y")}
    response = rule_form(agent, headers=HX, **values)
    html = body(response)
    assert response.status_code == 422
    assert 'id="regle-rose"' in html and "<html" not in html  # the colour's region
    error = re.search(rf'id="rose-{field}-erreur">([^<]+)<', html)
    assert error and message in error.group(1), html
    assert 'value="Avenant n° 12"' in html or "Avenant n° 12</textarea>" in html or field == "motif"
    assert changes() == [] and not audits("caisse.convention.modification")


def test_a_change_on_a_date_already_scheduled_replaces_it_once_shown(agent):
    day = today_in_monaco() + timedelta(days=30)
    assert rule_form(agent).status_code == 303
    [first] = changes()
    shown = rule_form(agent, coefficient_max="1,40", motif="Avenant n° 13")
    html = body(shown)
    assert shown.status_code == 422
    assert f"Une modification est déjà prévue pour la carte rose le {day.strftime('%d/%m/%Y')}" in html
    assert f'name="rose-remplace" type="hidden" value="{rule_changes.change_token(first)}"' in html
    assert "Remplacer la modification prévue" in html and 'value="1,40"' in html
    token = rule_changes.change_token(first)
    assert rule_form(agent, coefficient_max="1,40", motif="Avenant n° 13", remplace=token).status_code == 303
    [second] = changes()
    assert (second.coefficient_max, second.motif) == (Decimal("1.40"), "Avenant n° 13")
    row = audits("caisse.convention.modification")[-1]
    assert "remplace la modification prévue (rose au" in row.details and "1,3 × la base" in row.details
    # A stale confirmation (the change it names is gone) is shown the current one again.
    again = rule_form(agent, coefficient_max="1,50", remplace=token)
    assert again.status_code == 422 and f'value="{rule_changes.change_token(second)}"' in body(again)
    assert [c.coefficient_max for c in changes()] == [Decimal("1.40")]


def test_a_scheduled_change_is_cancelled_once_and_audited(agent):
    assert rule_form(agent, couleur="verte", depassement="non", coefficient_max="1", hnp="non").status_code == 303
    [change] = changes()
    token = csrf_from(body(agent.client.get(PAGE)))
    response = agent.client.post(f"{PAGE}/regles/annulation/{change.id}", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/caisse/referentiel")
    assert changes() == []
    [row] = audits("caisse.convention.annulation")
    assert row.compte_id == agent_id() and row.objet_id == str(change.id)
    assert "verte au" in row.details and "sans dépassement, HNP non autorisé" in row.details
    assert "Modification de la carte verte prévue le" in body(agent.client.get(PAGE))
    again = agent.client.post(f"{PAGE}/regles/annulation/{change.id}", data={"csrf_token": token})
    assert again.status_code == 303
    assert "Cette modification n'existe plus" in body(agent.client.get(PAGE))


def test_a_change_in_force_cannot_be_cancelled_and_shows_in_the_history(agent):
    today = today_in_monaco()
    compte = db.session.get(Compte, agent_id())
    rule_changes.schedule_change(compte, "bulle", True, Decimal("2.50"), False, today - timedelta(days=10),
                                 "Avenant ancien", today - timedelta(days=20))
    db.session.commit()
    [change] = changes()
    html = body(agent.client.get(PAGE))
    assert f'data-passee="{change.date_effet.isoformat()}"' in html
    assert "Dépassement autorisé jusqu'à 2,5 × la base (250 %) · HNP non autorisé" in html
    assert "Marie Cellario" in html
    token = csrf_from(html)
    response = agent.client.post(f"{PAGE}/regles/annulation/{change.id}", data={"csrf_token": token})
    assert response.status_code == 303 and len(changes()) == 1
    assert "est en vigueur : elle ne peut plus être annulée" in body(agent.client.get(PAGE))
    assert len(audits("caisse.convention.annulation")) == 0


def test_a_successful_change_with_htmx_is_sent_to_the_page(agent):
    response = rule_form(agent, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/caisse/referentiel"


def test_two_agents_scheduling_the_same_date_cannot_both_write(demo_accounts):
    today = today_in_monaco()
    day = today + timedelta(days=5)
    compte = db.session.get(Compte, agent_id())
    rule_changes.schedule_change(compte, "rose", True, Decimal("1.30"), False, day, "A", today)
    db.session.commit()
    with pytest.raises(rule_changes.RuleChangeError, match="déjà prévue") as refused:
        rule_changes.schedule_change(compte, "rose", True, Decimal("1.40"), False, day, "B", today)
    assert refused.value.existing is not None
    db.session.rollback()
    assert [c.coefficient_max for c in changes()] == [Decimal("1.30")]


def test_the_fse_page_honours_a_change_from_its_date_of_care(auth):
    """Rose 1,30 from a day (scheduled a week before it, now in force): a pondération of 1,30 is accepted
    for care on that day, refused the day before, where the Convention file's 1,20 still holds."""
    from tests.fse.test_fse import Desk

    today = today_in_monaco()
    day = today - timedelta(days=3)
    compte = db.session.get(Compte, agent_id())
    rule_changes.schedule_change(compte, "rose", True, Decimal("1.30"), False, day, "Avenant n° 12",
                                 day - timedelta(days=7))
    db.session.commit()
    auth.login("medecin.demo")
    desk = Desk(auth)
    desk.identify("100002", "R4M8")
    desk.choose(0)

    def care_on(when):
        return desk.post("/fse/conditions", {"date_soins": when.strftime("%d/%m/%Y"), "nature": "maladie"})

    assert care_on(day).status_code == 302
    desk.ngap("C")
    assert desk.billing(ponderation="1,30").status_code == 302
    base = Decimal(desk.totals()["base"].replace(" €", "").replace(",", "."))
    assert desk.totals()["facture"] == f"{base * Decimal('1.30'):.2f} €".replace(".", ",")
    assert care_on(day - timedelta(days=1)).status_code == 302
    refused = desk.billing(ponderation="1,30")
    assert refused.status_code == 422
    assert "coefficient maximum de la carte rose est 1,20" in body(refused)
    assert desk.billing(ponderation="1,20").status_code == 302


@pytest.mark.parametrize("headers, code", [({}, 400), (HX, 422)], ids=["page", "htmx"])
def test_an_expired_token_on_a_colour_form_keeps_the_input_and_records_nothing(agent, app, headers, code):
    from tests.fse.test_fse_fixes import stale_token

    agent.client.get(PAGE)
    stale = stale_token(agent.client, app)
    day = (today_in_monaco() + timedelta(days=9)).strftime("%d/%m/%Y")
    response = agent.client.post(f"{PAGE}/regles/rose", headers=headers, data={
        "rose-depassement": "oui", "rose-coefficient_max": "1,35", "rose-hnp": "non", "rose-date_effet": day,
        "rose-motif": "Avenant n° 14", "rose-csrf_token": stale})
    html = body(response)
    assert response.status_code == code
    assert "Le formulaire a expiré : vérifiez votre saisie et validez à nouveau." in html
    assert 'value="1,35"' in html and "Avenant n° 14</textarea>" in html and ("<html" in html) == (not headers)
    assert html.count("Le formulaire a expiré") == 1  # on the rose form only
    fresh = re.search(r'name="rose-csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert fresh != stale and changes() == []


def test_an_expired_token_on_a_colour_form_is_a_plain_400_for_the_médecin_conseil(client, totp_clock, app,
                                                                                  demo_accounts):
    from tests.fse.test_fse_fixes import stale_token

    AuthActions(client, totp_clock).login("conseil.demo")
    client.get("/caisse")
    response = client.post(f"{PAGE}/regles/rose", data={"rose-motif": "x", "rose-csrf_token": stale_token(client, app)})
    assert response.status_code == 400 and "Carte rose" not in body(response)
