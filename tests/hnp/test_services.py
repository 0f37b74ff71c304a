"""create_ordiposte: what the caisse may pay together, and the status it gives the FSE."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.hnp.services import OrdiposteError, create_ordiposte, ordiposte_of
from app.models import Foyer, Fse, JournalAudit, Ordiposte

DENTIST_ACTS = (("NGAP", "C", "1|1|"),)


def test_paying_sets_payee_the_amount_and_an_audit_row(practice):
    fses = practice.fses(3)
    ordiposte = create_ordiposte(fses, practice.today)
    db.session.commit()
    stored = db.session.get(Ordiposte, ordiposte.id)
    assert stored.nombre_fse == 3 and stored.montant == sum(f.part_caisse for f in fses)
    assert stored.reference.startswith(f"OP-CCSS-{practice.today:%Y%m%d}-")
    paid = db.session.scalars(select(Fse).where(Fse.ordiposte_id == ordiposte.id)).all()
    assert {f.statut for f in paid} == {"payee"} and len(paid) == 3
    assert all(f.statut_change_le is not None for f in paid)
    audit = db.session.scalar(select(JournalAudit).where(JournalAudit.action == "ordiposte.creation"))
    assert audit.objet_id == str(ordiposte.id) and audit.details == "3 FSE"


def test_an_fse_without_hnp_is_refused(practice):
    fses = [practice.fse(), practice.fse(hnp=False)]
    with pytest.raises(OrdiposteError, match=f"La FSE {fses[1].accuse_reception} n'est pas une FSE HNP/RDD"):
        create_ordiposte(fses, practice.today)


def test_a_deleted_fse_is_refused(practice):
    fse = practice.fse()
    fse.statut, fse.statut_change_le = "supprimee", fse.transmise_le + timedelta(minutes=5)
    db.session.flush()
    with pytest.raises(OrdiposteError, match="n'est pas une FSE HNP/RDD transmise"):
        create_ordiposte([fse], practice.today)


def test_an_fse_already_paid_is_not_paid_twice(practice):
    fse = practice.fse()
    create_ordiposte([fse], practice.today - timedelta(days=1))
    db.session.flush()
    with pytest.raises(OrdiposteError, match="en attente de paiement"):
        create_ordiposte([fse, practice.fse()], practice.today)
    assert db.session.scalar(select(Ordiposte.nombre_fse)) == 1


def test_one_ordiposte_pays_one_caisse_and_one_praticien(practice):
    ccss = practice.fse()
    camti = practice.fse(member=1)
    camti.caisse = "CAMTI"  # as if the card were CAMTI's: the fixed verte cards are all CCSS
    with pytest.raises(OrdiposteError, match="d'un seul praticien et d'une seule caisse"):
        create_ordiposte([ccss, camti], practice.today)
    dentist = practice.fse(identifiant="dentiste.demo", acts=DENTIST_ACTS)
    with pytest.raises(OrdiposteError, match="d'un seul praticien et d'une seule caisse"):
        create_ordiposte([ccss, dentist], practice.today)
    with pytest.raises(OrdiposteError, match="au moins une FSE"):
        create_ordiposte([], practice.today)
    assert db.session.scalar(select(Ordiposte.id)) is None
    assert {f.statut for f in (ccss, dentist)} == {"transmise"}


def test_hnp_is_only_built_on_a_verte_card(practice):
    # The fixtures' premise: the rose card 100002 cannot carry an HNP FSE.
    assert db.session.scalar(select(Foyer.couleur_carte).where(Foyer.matricule == "100002")) == "rose"
    with pytest.raises(ValueError, match="HNP non permis"):
        practice.fse(matricule="100002")


def test_ordiposte_of_finds_only_the_praticien_s_own(practice):
    ordiposte = create_ordiposte([practice.fse()], practice.today)
    db.session.flush()
    medecin, dentiste = practice.compte("medecin.demo"), practice.compte("dentiste.demo")
    assert ordiposte_of(medecin.praticien_id, ordiposte.id) is ordiposte
    assert ordiposte_of(dentiste.praticien_id, ordiposte.id) is None
