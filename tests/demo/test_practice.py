"""The demo's year of practice: realistic, deterministic, priced by the real domain code, idempotent."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.domain.caisse_fses import processing_cutoff
from app.domain.calendar import MONACO, today_in_monaco
from app.domain.money import ZERO
from app.extensions import db
from app.fse.state import build_state
from app.audit.services import verify_chain
from app.models import Compte, Formulaire, Fse, FsePrecodee, JournalAudit, Ordiposte


def _compte(identifiant):
    return db.session.scalar(select(Compte).where(Compte.identifiant == identifiant))


def _fingerprint():
    return db.session.execute(
        select(Fse.praticien_id, Fse.statut, func.count(), func.sum(Fse.total_facture), func.sum(Fse.part_caisse))
        .group_by(Fse.praticien_id, Fse.statut).order_by(Fse.praticien_id, Fse.statut)).all()


def test_a_year_of_practice_for_the_demo_accounts(runner, app_ctx):
    result = runner.invoke(args=["demo", "seed", "--foyers", "300"])
    assert result.exit_code == 0, result.output
    assert "FSE de démonstration transmises" in result.output
    assert "13 formulaires de démonstration transmis" in result.output
    medecin, dentiste, assistant = _compte("medecin.demo"), _compte("dentiste.demo"), _compte("assistant.demo")
    today = today_in_monaco()

    def count(*where):
        return db.session.scalar(select(func.count()).select_from(Fse).where(*where))

    # About 1,500 FSE for medecin.demo, some by his assistant, some HNP, a few deleted; 400 for the dentist.
    assert count(Fse.praticien_id == medecin.praticien_id) == 1500
    assert count(Fse.praticien_id == dentiste.praticien_id) == 400
    assert 300 < count(Fse.transmise_par_id == assistant.id) < 700
    assert count(Fse.praticien_id == medecin.praticien_id, Fse.statut == "supprimee") >= 5
    assert count(Fse.praticien_id == medecin.praticien_id, Fse.statut == "rejetee") == 2
    assert count(Fse.praticien_id == dentiste.praticien_id, Fse.hnp) > 40
    for identifiant in ("infirmier.demo", "kine.demo"):
        assert 20 <= count(Fse.praticien_id == _compte(identifiant).praticien_id) <= 60
    # Within the last 12 months, and two transmitted today that can still be deleted.
    oldest = db.session.scalar(select(func.min(Fse.transmise_le)))
    assert oldest.astimezone(MONACO).date() > today - timedelta(days=366)
    sent_today = db.session.scalars(select(Fse).where(Fse.praticien_id == medecin.praticien_id)
                                    .order_by(Fse.transmise_le.desc()).limit(2)).all()
    assert all(f.transmise_le.astimezone(MONACO).date() == today and f.statut == "transmise" for f in sent_today)

    # About 10 ordipostes each; each pays HNP FSE of one caisse, its amount the sum of their part caisse.
    for compte in (medecin, dentiste):
        ordipostes = db.session.scalars(select(Ordiposte).where(Ordiposte.praticien_id == compte.praticien_id)).all()
        assert 8 <= len(ordipostes) <= 13
        for ordiposte in ordipostes:
            assert ordiposte.nombre_fse == len(ordiposte.fses) > 0
            assert ordiposte.montant == sum((f.part_caisse for f in ordiposte.fses), ZERO)
            assert all(f.statut == "payee" and f.hnp and f.caisse == ordiposte.caisse for f in ordiposte.fses)
            assert ordiposte.date_paiement <= today
            assert ordiposte.date_paiement >= max(f.transmise_le.astimezone(MONACO).date() for f in ordiposte.fses)
    # … and HNP FSE of the current period (at least its first two weeks: it is paid 15 days after it
    # ends) still to pay, transmitted before today: out of the practice's deletion window, so the
    # agent's « HNP/RDD à payer » offers them.
    to_pay = count(Fse.praticien_id.in_([medecin.praticien_id, dentiste.praticien_id]), Fse.hnp,
                   Fse.statut == "transmise", Fse.ordiposte_id.is_(None),
                   Fse.transmise_le < processing_cutoff(datetime.now(UTC)))
    assert to_pay >= 1, to_pay

    # Amounts are those the FSE page computes: re-price a sample through the page's own state.
    sample = db.session.scalars(select(Fse).where(Fse.praticien_id == medecin.praticien_id)
                                .order_by(Fse.id).limit(60)).all()
    for fse in sample:
        state = build_state(fse, "medecin")
        assert (state.totals.base, state.totals.facture, state.totals.part_caisse) == \
            (fse.total_base, fse.total_facture, fse.part_caisse)
    assert any(f.depassement > 0 for f in sample)

    # Two or three pre-coded baskets per praticien.
    for identifiant in ("medecin.demo", "dentiste.demo", "infirmier.demo", "kine.demo"):
        baskets = db.session.scalars(select(FsePrecodee).where(
            FsePrecodee.praticien_id == _compte(identifiant).praticien_id)).all()
        assert 2 <= len(baskets) <= 3 and all(b.lignes for b in baskets)

    # The journal holds the year's sign-ins, lookups and transmissions at their instants, chain intact.
    transmissions = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "fse.transmission")
                                   .order_by(JournalAudit.numero)).all()
    assert len(transmissions) == db.session.scalar(select(func.count()).select_from(Fse))
    assert [row.horodatage for row in transmissions] == sorted(row.horodatage for row in transmissions)
    assert db.session.scalar(select(func.count()).select_from(JournalAudit).where(
        JournalAudit.action == "fse.suppression")) == db.session.scalar(
        select(func.count()).select_from(Fse).where(Fse.statut == "supprimee"))
    # The forms' transmissions are in the same chain, in time order with the FSE's.
    form_rows = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "formulaire.transmission")).all()
    assert len(form_rows) == 13
    everything = db.session.scalars(select(JournalAudit.horodatage).order_by(JournalAudit.numero)).all()
    assert everything == sorted(everything)
    assert verify_chain()[0]

    # A second run keeps what is there.
    before = _fingerprint()
    forms_before = db.session.scalars(select(Formulaire.reference).order_by(Formulaire.id)).all()
    again = runner.invoke(args=["demo", "seed", "--foyers", "300"])
    assert again.exit_code == 0 and "FSE de démonstration" not in again.output
    assert "formulaires de démonstration" not in again.output
    assert _fingerprint() == before
    assert db.session.scalars(select(Formulaire.reference).order_by(Formulaire.id)).all() == forms_before


def test_the_same_seed_gives_the_same_practice(app_ctx):
    from app.demo.practice import seed_practice
    from app.demo.seed import seed_demo

    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    seed_demo(db.session, "test", now.date(), count=100)
    seed_practice(db.session, now.date(), now, seed=7)
    db.session.commit()
    first = _fingerprint()
    for table in ("ligne_fse", "fse", "ordiposte", "ligne_precodee", "fse_precodee"):
        db.session.execute(db.metadata.tables[table].delete())
    db.session.commit()
    seed_practice(db.session, now.date(), now, seed=7)
    db.session.commit()
    assert _fingerprint() == first
