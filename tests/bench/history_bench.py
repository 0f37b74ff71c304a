"""« Historique FSE » with 50,000 FSE for one praticien: timings of the page, a name filter, the totals,
the month chart and the CSV export (with its peak memory), and the query plans.

Not a test: figures vary with the machine. Run: `.venv/bin/python tests/bench/history_bench.py [N]`.
The FSE are copies of a few FSE priced by the real code (app/demo/activity.py), bulk-inserted with
spread transmission instants, so seeding takes seconds.
"""

from __future__ import annotations

import secrets
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import bench_app, median_ms  # noqa: E402

FIELDS = ("compte_id", "date_soins", "nature", "hnp", "matricule", "caisse", "couleur_carte", "patient_nom",
          "patient_prenom", "patient_date_naissance", "total_base", "total_facture", "depassement", "part_caisse",
          "part_patient", "patient_recherche", "beneficiaire_id", "foyer_id")
LINE_FIELDS = ("rang", "type", "code", "libelle", "detail", "coefficient", "diviseur", "majorations", "activite",
               "phase", "modificateurs", "association", "base", "seuil_etm", "entente")


def seed(db, count: int) -> int:
    """`count` transmitted FSE of medecin.demo (a third by his assistant) over the last 364 days."""
    from sqlalchemy import insert, select

    from app.demo.activity import transmitted_fse
    from app.models import Beneficiaire, Compte, Fse, LigneFse

    medecin = db.session.scalar(select(Compte).where(Compte.identifiant == "medecin.demo"))
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    members = db.session.scalars(select(Beneficiaire).order_by(Beneficiaire.id)).all()[:9]
    now = datetime.now(UTC)
    templates = []
    for member in members:
        if member.droits_fin is None:
            fse = transmitted_fse(db.session, medecin, member, now.date() - timedelta(days=1),
                                  (("NGAP", "C", "1|1|"), ("CCAM", "DEQP003", "1|0||1")), now - timedelta(days=1))
            db.session.flush()
            templates.append(({name: getattr(fse, name) for name in FIELDS},
                              [{name: getattr(line, name) for name in LINE_FIELDS} for line in fse.lignes]))
    db.session.rollback()
    started_id = (db.session.scalar(select(Fse.id).order_by(Fse.id.desc()).limit(1)) or 0) + 1
    fses, lines = [], []
    for index in range(count):
        values, acts = templates[index % len(templates)]
        at = now - timedelta(seconds=int(364 * 86400 * index / count) + 60)
        fse_id = started_id + index
        fses.append({**values, "id": fse_id, "praticien_id": medecin.praticien_id, "statut": "transmise",
                     "jeton": secrets.token_hex(16), "version": 2, "accuse_reception": f"BENCH{fse_id:09d}",
                     "transmise_le": at, "transmise_par_id": assistant.id if index % 3 == 0 else medecin.id,
                     "date_soins": at.date(), "cree_le": at, "modifiee_le": at})
        lines.extend({**act, "fse_id": fse_id} for act in acts)
    for chunk in range(0, count, 5000):
        db.session.execute(insert(Fse), fses[chunk:chunk + 5000])
    for chunk in range(0, len(lines), 10000):
        db.session.execute(insert(LigneFse), lines[chunk:chunk + 10000])
    if db.engine.dialect.name == "postgresql":
        # The ids were given explicitly: the sequence must move past them, or the next FSE the
        # portal creates (a new draft) collides with one of these (bench/stack.py on PostgreSQL).
        db.session.execute(db.text("SELECT setval(pg_get_serial_sequence('fse', 'id'), (SELECT max(id) FROM fse))"))
    from app.history.cache import touch

    touch(medecin.praticien_id)  # the history changed: no process keeps totals of before
    db.session.commit()
    return medecin.praticien_id


def plans(db, praticien_id: int) -> list[tuple[str, str]]:
    """SQLite's plan of the history's queries: they must search ix_fse_praticien_transmise."""
    from sqlalchemy import func, select

    from app.history import services
    from app.models import Fse

    at = services.now()
    result = []
    for label, filters in (("no filter", services.HistoryFilters()),
                           ("name filter", services.HistoryFilters(patient="palmaro"))):
        conditions = services.base_conditions(praticien_id, filters, at)
        for kind, query in (("page", select(Fse.id).where(*conditions).order_by(Fse.transmise_le.desc(), Fse.id.desc())
                                      .limit(50)),
                            ("totals", select(func.count(Fse.id), func.sum(Fse.total_facture)).where(*conditions))):
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
            rows = db.session.execute(db.text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            result.append((f"{kind}, {label}", " | ".join(row[-1] for row in rows)))
    chunk = select(Fse.id).where(*services.base_conditions(praticien_id, services.HistoryFilters(), at),
                                 services.keyset_after((at - timedelta(days=100), 10**9)))
    compiled = chunk.order_by(Fse.transmise_le.desc(), Fse.id.desc()).limit(1000).compile(
        db.engine, compile_kwargs={"literal_binds": True})
    rows = db.session.execute(db.text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    result.append(("export chunk (keyset)", " | ".join(row[-1] for row in rows)))
    return result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
    app = bench_app("fse-bench-history-")
    figures = []
    with app.app_context():
        from app.demo.seed import seed_demo
        from app.domain.calendar import today_in_monaco
        from app.extensions import db
        from app.history import services
        from app.referentiel.importer import import_referentiel

        import_referentiel(db.session)
        seed_demo(db.session, "bench", today_in_monaco(), count=0)
        db.session.commit()
        started = time.perf_counter()
        praticien_id = seed(db, count)
        figures.append((f"Seeding {count:,} FSE (bulk insert)", f"{time.perf_counter() - started:.1f} s"))
        at = services.now()
        everything = services.HistoryFilters()
        conditions = services.base_conditions(praticien_id, everything, at)
        figures.append(("Totals (one aggregate query)", f"{median_ms(lambda: services.totals(conditions)):.1f} ms"))
        figures.append(("Month chart (one GROUP BY on a month CASE)",
                        f"{median_ms(lambda: services.month_series(praticien_id, everything, at)):.1f} ms"))
        query_plans = plans(db, praticien_id)
        from app.history.export import csv_rows

        tracemalloc.start()
        written = sum(len(chunk) for chunk in csv_rows(praticien_id, everything, at, {}, "HNP"))
        _, own_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.remove()
        figures.append((f"CSV rows generator alone, peak memory ({written / 1e6:.1f} MB written)",
                        f"{own_peak / 1e6:.2f} MB"))

    import pyotp

    from app.demo.seed import DEMO_PRATICIENS

    client = app.test_client()
    client.post("/connexion", data={"identifiant": "medecin.demo", "mot_de_passe": "Demo-FSE-2026"})
    client.post("/connexion/code", data={"code": pyotp.TOTP(DEMO_PRATICIENS[0].totp_secret).now()})
    assert client.get("/historique").status_code == 200
    figures.append(("Page, no filter (server, whole request)", f"{median_ms(lambda: client.get('/historique')):.1f} ms"))
    middle = count // 100
    figures.append((f"Page {middle} of {count // 50} (offset)",
                    f"{median_ms(lambda: client.get(f'/historique?page={middle}')):.1f} ms"))
    client.post("/historique", data={"patient": "palmaro"})
    figures.append(("Page, name filter « palmaro » (whole request)",
                    f"{median_ms(lambda: client.get('/historique')):.1f} ms"))
    client.post("/historique", data={"patient": "", "montant_min": "60"})
    client.post("/historique/reinitialiser")

    def export() -> int:
        response = client.post("/historique/export", buffered=True)
        return len(response.get_data())

    started = time.perf_counter()
    size = export()
    elapsed = time.perf_counter() - started
    tracemalloc.start()  # a second export under tracemalloc, which slows Python down
    export()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures.append((f"CSV export of {count:,} FSE ({size / 1e6:.1f} MB)", f"{elapsed:.2f} s"))
    # The test client buffers the body, so the peak includes the CSV held whole by the client; the
    # export's own working set is that peak minus the body's size.
    figures.append(("CSV export peak memory (tracemalloc), incl. the buffered body",
                    f"{peak / 1e6:.1f} MB (body {size / 1e6:.1f} MB)"))

    print("| Historique FSE, " + f"{count:,} FSE for one praticien | |")
    print("| --- | --- |")
    for label, value in figures:
        print(f"| {label} | {value} |")
    print()
    for label, plan in query_plans:
        print(f"- {label}: {plan}")


if __name__ == "__main__":
    main()
