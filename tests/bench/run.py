"""Speed and weight figures of the portal (`make bench`), printed as a Markdown table.

Not a test: figures vary with the machine. It builds a throwaway SQLite database with the real
reference data and the demo registry, then measures what a tablet user waits for.
"""

from __future__ import annotations

import gzip
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, bench_app, median_ms  # noqa: E402


def main() -> None:
    app = bench_app("fse-bench-")
    rows = []
    with app.app_context():
        from app.demo.seed import seed_demo
        from app.domain.calendar import today_in_monaco
        from app.extensions import db
        from app.fse.catalogue import search_ccam
        from app.referentiel.importer import import_referentiel

        started = time.perf_counter()
        import_referentiel(db.session)
        db.session.commit()
        rows.append(("Reference import (8,160 CCAM acts, tariffs, rules)", f"{time.perf_counter() - started:.2f} s"))
        started = time.perf_counter()
        seed_demo(db.session, "bench", today_in_monaco(), count=20000)
        db.session.commit()
        rows.append(("Demo registry, 20,005 households", f"{time.perf_counter() - started:.2f} s"))
        search_ccam("x")  # warm the in-memory index
        for query in ("HBJ", "detartrage", "radiographie thorax", "couronne dentaire ceramique"):
            rows.append((f"CCAM autocomplete « {query} » (target < 50 ms)", f"{median_ms(lambda: search_ccam(query), 50):.2f} ms"))

    client = app.test_client()
    import pyotp

    from app.demo.seed import DEMO_PRATICIENS

    client.post("/connexion", data={"identifiant": "medecin.demo", "mot_de_passe": "Demo-FSE-2026"})
    client.post("/connexion/code", data={"code": pyotp.TOTP(DEMO_PRATICIENS[0].totp_secret).now()})
    client.post("/fse/patient", data={"matricule": "100001", "code_fse": "K7P2", "caisse": "CCSS"})
    member = re.findall(r'name="beneficiaire_id" value="(\d+)"', client.get("/fse").get_data(as_text=True))[3]
    client.post("/fse/beneficiaire", data={"beneficiaire_id": member})
    client.post("/fse/ngap", data={"lettre": "C", "coefficient": "1", "diviseur": "1", "majorations": ["MD"]})
    page = client.get("/fse").data
    fragment = client.post("/fse/facturation", data={"montant_facture": "", "ponderation": ""},
                           headers={"HX-Request": "true"}).data
    rows.append(("FSE page render, household + basket (server)", f"{median_ms(lambda: client.get('/fse'), 30):.1f} ms"))
    rows.append(("Basket fragment (htmx, server)", f"{median_ms(lambda: client.post('/fse/facturation', data={'montant_facture': '', 'ponderation': ''}, headers={'HX-Request': 'true'}), 30):.1f} ms"))
    rows.append(("FSE page HTML", f"{len(page) / 1024:.1f} KB ({len(gzip.compress(page)) / 1024:.1f} KB gzip)"))
    rows.append(("Basket fragment HTML", f"{len(fragment) / 1024:.1f} KB ({len(gzip.compress(fragment)) / 1024:.1f} KB gzip)"))
    css = (ROOT / "static/css/app.css").read_bytes()
    htmx = next((ROOT / "static/vendor").glob("htmx-*.min.js")).read_bytes()
    rows.append(("Stylesheet", f"{len(css) / 1024:.1f} KB ({len(gzip.compress(css)) / 1024:.1f} KB gzip)"))
    rows.append(("htmx (vendored)", f"{len(htmx) / 1024:.1f} KB ({len(gzip.compress(htmx)) / 1024:.1f} KB gzip)"))

    print("| measure | figure |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
