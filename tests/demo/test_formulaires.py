"""The demo's transmitted forms: each kind for medecin.demo, IT for dentiste.demo, built by the real
domain code (references, date rules, sealed medical elements), audited, deterministic, idempotent."""

import re
from collections import Counter
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.services import verify_chain
from app.demo.formulaires import PLANS, seed_forms
from app.demo.journal import seed_journal
from app.demo.seed import seed_demo
from app.domain.calendar import MONACO, within
from app.domain.formulaires import ItDates, it_date_problems, stop_date_problem
from app.extensions import db
from app.formulaires import medical
from app.models import Compte, Formulaire, JournalAudit

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
REFERENCE = re.compile(r"^(IT|ETM|INV)-(\d{8})-[2-9A-HJ-NP-Z]{6}$")
PREFIX = {"it": "IT", "etm": "ETM", "invalidite": "INV"}


def _praticien_id(identifiant):
    return db.session.scalar(select(Compte.praticien_id).where(Compte.identifiant == identifiant))


def _documents(identifiant):
    return db.session.scalars(select(Formulaire).where(Formulaire.praticien_id == _praticien_id(identifiant))
                              .order_by(Formulaire.transmis_le)).all()


@pytest.fixture
def seeded(app_ctx):
    """The forms and their journal as seed_practice writes them (tests/demo/test_practice.py runs the
    whole `flask demo seed`, FSE included)."""
    seed_demo(db.session, "test", NOW.date(), count=200)
    documents = seed_forms(db.session, NOW.date(), NOW, seed=11)
    comptes = {c.id: c for c in db.session.scalars(select(Compte))}
    seed_journal(random.Random(11), [], comptes, documents)
    db.session.commit()
    return documents


def test_each_kind_for_the_medecin_and_it_for_the_dentist(seeded):
    medecin, dentiste = _documents("medecin.demo"), _documents("dentiste.demo")
    assert Counter(d.type for d in medecin) == {"it": 6, "etm": 3, "invalidite": 2}
    assert Counter(d.type for d in dentiste) == {"it": 2}
    assert len(seeded) == 13
    statuses = Counter((d.type, d.statut) for d in medecin)
    assert statuses[("etm", "accorde")] == 1 and statuses[("etm", "refuse")] == 1
    assert all(d.statut == "transmis" for d in medecin + dentiste if d.type != "etm")
    # Only transmitted documents, no draft left; nobody else has any.
    assert db.session.scalar(select(func.count()).select_from(Formulaire)) == 13
    sent_days = {d.transmis_le.astimezone(MONACO).date() for d in medecin}
    assert min(sent_days) < NOW.date().replace(month=8) and max(sent_days) < NOW.date()
    assert len({d.transmis_le.astimezone(MONACO).month for d in medecin}) >= 4  # over the last months


def test_documents_are_what_transmettre_leaves(seeded, app):
    retro = app.config["FSE_IT_RETRO_JOURS"]
    documents = _documents("medecin.demo") + _documents("dentiste.demo")
    references = [d.reference for d in documents]
    assert len(set(references)) == len(references)
    for d in documents:
        sent_day = d.transmis_le.astimezone(MONACO).date()
        match = REFERENCE.match(d.reference)
        assert match and match.group(1) == PREFIX[d.type] and match.group(2) == f"{sent_day:%Y%m%d}", d.reference
        member = d.beneficiaire
        assert (d.matricule, d.patient_nom, d.patient_prenom) == (member.foyer.matricule, member.nom, member.prenom)
        assert d.caisse == member.foyer.caisse and d.patient_date_naissance == member.date_naissance
        assert within(member.droits_debut, member.droits_fin, sent_day)
        assert d.compte.role == "praticien" and d.compte.praticien_id == d.praticien_id
        if d.type == "it":
            dates = ItDates(d.date_debut, d.date_fin, d.prolongation, d.date_initiale, d.accident_travail,
                            d.date_accident)
            assert it_date_problems(dates, d.praticien.profession, sent_day, retro) == {}, d.reference
            assert d.sorties in ("non", "oui", "libres") and (d.sorties == "oui") == bool(d.sorties_horaires)
            assert d.identifie_par == "code_fse"
        if d.type == "invalidite":
            assert d.date_arret < sent_day and stop_date_problem(d.date_arret, sent_day) is None
        if d.type == "etm":
            assert d.etm_nature_code in (41, 43, 45) and 1 <= d.duree_mois <= 60
    its = [d for d in _documents("medecin.demo") if d.type == "it"]
    prolongation = next(d for d in its if d.prolongation)
    initial = next(d for d in its if d.date_debut == prolongation.date_initiale)
    assert initial.beneficiaire_id == prolongation.beneficiaire_id
    assert prolongation.date_debut == initial.date_fin + timedelta(days=1)
    assert any(d.accident_travail for d in its) and any(d.sorties == "libres" for d in its)
    # Documented patients show up: Marc Bellando's arrêt, Hélène Notari's ETM (an accent to search).
    assert {"Marc Bellando", "Hélène Notari"} <= {f"{d.patient_prenom} {d.patient_nom}"
                                                 for d in _documents("medecin.demo")}


def test_medical_elements_are_sealed_and_open_with_the_key(seeded):
    planned = {(ident, item.kind, tuple(sorted(item.medical.items())))
               for ident, plan in PLANS.items() for item in plan}
    found = set()
    for identifiant in PLANS:
        for d in _documents(identifiant):
            raw = bytes(d.elements_medicaux)
            opened = medical.unseal(raw)
            assert set(opened) <= set(medical.MEDICAL_FIELDS[d.type]) and opened
            for words in opened.values():
                assert words.encode() not in raw
                for word in re.findall(r"\w{6,}", words):
                    assert word.encode() not in raw and word.lower().encode() not in raw.lower()
            found.add((identifiant, d.type, tuple(sorted(opened.items()))))
            # No other column holds a medical word.
            plain = " ".join(str(getattr(d, c.key)) for c in Formulaire.__table__.columns
                             if c.key != "elements_medicaux")
            for words in opened.values():
                assert words not in plain
    assert found == planned


def test_audited_in_the_chain_without_medical_words(seeded):
    documents = _documents("medecin.demo") + _documents("dentiste.demo")
    rows = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "formulaire.transmission")).all()
    assert sorted(int(r.objet_id) for r in rows) == sorted(d.id for d in documents)
    for row in rows:
        d = db.session.get(Formulaire, int(row.objet_id))
        assert row.horodatage == d.transmis_le and row.compte_id == d.compte_id
    lookups = db.session.scalars(select(JournalAudit.details).where(
        JournalAudit.action == "patient.recherche", JournalAudit.details.startswith("formulaire"))).all()
    assert len(lookups) == len(documents)
    all_details = " ".join(filter(None, db.session.scalars(select(JournalAudit.details)).all()))
    for d in documents:
        for words in medical.unseal(d.elements_medicaux).values():
            assert words not in all_details
        assert d.patient_nom not in all_details
    intact, checked, message = verify_chain()
    assert intact, message


def test_deterministic_and_idempotent(seeded):
    first = [(d.reference, d.type, d.beneficiaire_id, d.transmis_le, d.date_debut, d.statut)
             for d in db.session.scalars(select(Formulaire).order_by(Formulaire.id))]
    assert seed_forms(db.session, NOW.date(), NOW, seed=11) == []  # already there: nothing written
    db.session.commit()
    db.session.execute(db.metadata.tables["formulaire"].delete())
    db.session.commit()
    again = seed_forms(db.session, NOW.date(), NOW, seed=11)
    db.session.commit()
    assert [(d.reference, d.type, d.beneficiaire_id, d.transmis_le, d.date_debut, d.statut)
            for d in sorted(again, key=lambda d: d.id)] == first
