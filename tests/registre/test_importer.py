"""The import service: all or nothing, upserts by matricule and (household, rang), exonerations
replaced when they differ, absent rows kept, a second import changing nothing; a generated file of
1,000 members, and the same file with one bad row at line 734."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.demo.seed import seed_demo
from app.models import Beneficiaire, Exoneration, Foyer, Fse
from app.registre import importer
from app.registre.generated import generated_registry, registry_lines
from tests.registre.helpers import SAMPLE, csv_bytes, snapshot, with_line_replaced

TODAY = date(2026, 11, 23)


def run(db, data: bytes, name: str = "registre.csv") -> importer.RegistreReport:
    report = importer.import_registre(db.session, data, name, today=TODAY)
    if report.refused:
        db.session.rollback()
    else:
        db.session.commit()
    return report


def test_the_sample_file_imports_every_case(db):
    report = run(db, SAMPLE.read_bytes(), "exemple-registre.csv")
    assert not report.refused, report.errors
    assert (report.lignes, report.foyers.crees, report.membres.crees) == (10, 5, 10)
    foyers, membres, exonerations = snapshot()
    assert ("100012", "P8N4", "CAMTI", "rose") in foyers and ("100013", "W5T2", "SPME", "bulle") in foyers
    assert ("100011", 4, "enfant", "Fautrier", "Lucas", date(2012, 11, 30), date(2012, 11, 30), None) in membres
    assert ("100015", 1, "assure", "Ravarino", "Sophie", date(1981, 3, 19), date(2003, 4, 1), None) in membres
    assert ("100012", 1, 41, date(2023, 1, 15), None) in exonerations
    assert ("100012", 1, 11, date(2025, 4, 10), date(2025, 7, 31)) in exonerations
    assert len(exonerations) == 5


def test_a_second_import_changes_nothing(db):
    run(db, SAMPLE.read_bytes())
    before = snapshot()
    report = run(db, SAMPLE.read_bytes())
    assert (report.foyers.crees, report.foyers.modifies, report.foyers.inchanges) == (0, 0, 5)
    assert (report.membres.crees, report.membres.modifies, report.membres.inchanges) == (0, 0, 10)
    assert report.exonerations_remplacees == 0 and not report.changed
    assert snapshot() == before


def test_updates_households_members_and_exonerations_and_keeps_the_absent(db):
    run(db, SAMPLE.read_bytes())
    ids_before = dict(db.session.execute(select(Foyer.matricule, Foyer.id)).all())
    member_ids = {tuple(r[:2]): r[2] for r in db.session.execute(
        select(Foyer.matricule, Beneficiaire.rang, Beneficiaire.id).join(Foyer))}
    update = csv_bytes(
        # 100011: new colour and code; rang 2's ETM ended; rang 3 gets a new end of rights; 4 absent
        "100011;H3K9;CCSS;rose;1;assure;Fautrier;Claire;14/02/1975;01/01/2000;;",
        "100011;H3K9;CCSS;rose;2;conjoint;Fautrier;Marc;03/09/1973;01/01/2000;;41:01/03/2024:30/09/2026",
        "100011;H3K9;CCSS;rose;3;enfant;Fautrier;Zoé;21/06/2008;21/06/2008;20/06/2030;",
        "100011;H3K9;CCSS;rose;5;enfant;Fautrier;Nina;01/10/2026;01/10/2026;;",
        # 100012: exonerations removed by an empty cell
        "100012;P8N4;CAMTI;rose;1;assure;D'Agostino;Hélène;05/05/1962;01/01/1995;;",
        # a new household
        "100020;Z9Z9;SPME;verte;1;assure;Pastor;Rainier;1970-07-07;1990-01-01;;",
    )
    report = run(db, update, "mise-a-jour.csv")
    assert not report.refused, report.errors
    assert (report.foyers.crees, report.foyers.modifies, report.foyers.inchanges) == (1, 1, 1)
    assert (report.membres.crees, report.membres.modifies, report.membres.inchanges) == (2, 3, 1)
    assert report.exonerations_remplacees == 2
    foyers, membres, exonerations = snapshot()
    assert ("100011", "H3K9", "CCSS", "rose") in foyers
    assert len(foyers) == 6 and len(membres) == 12  # 100013 to 100015 and 100011's rang 4 are kept
    assert ("100011", 4, "enfant", "Fautrier", "Lucas", date(2012, 11, 30), date(2012, 11, 30), None) in membres
    assert ("100011", 3, "enfant", "Fautrier", "Zoé", date(2008, 6, 21), date(2008, 6, 21), date(2030, 6, 20)) in membres
    assert ("100011", 2, 41, date(2024, 3, 1), date(2026, 9, 30)) in exonerations
    assert not [e for e in exonerations if e[0] == "100012"]
    assert ("100013", 1, 13, date(2010, 6, 1), None) in exonerations
    # updated in place: the FSE that refer to households and members keep their rows
    assert dict(db.session.execute(select(Foyer.matricule, Foyer.id).where(Foyer.matricule != "100020")).all()) == ids_before
    assert db.session.scalar(select(Beneficiaire.id).join(Foyer).where(
        Foyer.matricule == "100011", Beneficiaire.rang == 2)) == member_ids[("100011", 2)]


def test_one_bad_row_refuses_the_whole_file(db):
    run(db, SAMPLE.read_bytes())
    before = snapshot()
    update = csv_bytes(
        "100011;H3K9;CCSS;rose;1;assure;Fautrier;Claire;14/02/1975;01/01/2000;;",
        "100030;A1B2;CCSS;verte;1;assure;Nouveau;Foyer;01/01/1980;01/01/2000;;",
        "100031;A1B2;CCSS;verte;1;assure;Autre;Foyer;31/02/1980;01/01/2000;;",
    )
    report = run(db, update)
    assert report.refused and report.refused_lines == [4]
    assert report.errors[0].column == "date_naissance"
    assert snapshot() == before


def test_a_file_that_is_not_utf8_is_refused_with_its_line(db):
    data = csv_bytes("100011;H3K7;CCSS;verte;1;assure;Fautrier;Claire;14/02/1975;01/01/2000;;",
                     "100012;P8N4;CAMTI;rose;1;assure;D'Agostino;Hélène;05/05/1962;01/01/1995;;")
    report = run(db, data.decode("utf-8").encode("cp1252"))
    assert report.refused and report.refused_lines == [3]
    assert "UTF-8" in report.errors[0].message
    assert snapshot() == ([], [], [])


def test_a_bom_is_accepted(db):
    report = run(db, csv_bytes("100011;H3K7;CCSS;verte;1;assure;Fautrier;Claire;14/02/1975;01/01/2000;;", bom=True))
    assert not report.refused and report.foyers.crees == 1


def test_natures_sans_objet_and_inconnue_are_no_exoneration(db):
    natures = importer.known_natures(db.session)
    assert {11, 41, 13} <= natures and not {0, 99} & natures
    report = run(db, csv_bytes("100011;H3K7;CCSS;verte;1;assure;Fautrier;Claire;14/02/1975;01/01/2000;;0:01/01/2020"))
    assert report.refused and report.errors[0].column == "exonerations"


def test_the_summary_names_the_file_its_fingerprint_and_counts(db):
    report = run(db, SAMPLE.read_bytes(), "exemple-registre.csv")
    summary = report.summary()
    assert summary.startswith(f"exemple-registre.csv (sha256 {report.sha256}) : 10 lignes")
    assert "foyers : 5 créés, 0 modifiés, 0 inchangés" in summary and len(summary) < 500
    refused = run(db, csv_bytes("1;2;3"), "x.csv")
    assert "refusé : 1 erreur(s), lignes 2" in refused.summary()


def test_the_demo_registry_is_updated_in_place(db):
    """The demo's households, written by the generator's file format, match the seeded registry."""
    seed_demo(db.session, "test", TODAY, count=30)
    db.session.commit()
    before = snapshot()
    from app.demo.generator import generate_registry

    data = "".join(registry_lines(generate_registry(30, TODAY))).encode()
    report = run(db, data)
    assert not report.refused, report.errors[:3]
    # every household and member known: nothing created; only the toddler of the fixed card whose
    # rights the file opens at his birth (the demo opens them before it) is updated
    assert report.foyers.crees == 0 and report.membres.crees == 0
    assert report.membres.modifies <= 1
    assert snapshot()[0] == before[0]


GENERATED = 1000


@pytest.fixture(scope="module")
def generated() -> bytes:
    return generated_registry(GENERATED)


def test_a_generated_file_of_1000_members_imports_then_changes_nothing(db, generated):
    first = run(db, generated, "genere.csv")
    assert not first.refused, first.errors[:3]
    assert first.lignes == GENERATED and first.membres.crees == GENERATED
    assert db.session.scalar(select(func.count()).select_from(Beneficiaire)) == GENERATED
    assert first.foyers.crees == db.session.scalar(select(func.count()).select_from(Foyer))
    exonerations = db.session.scalar(select(func.count()).select_from(Exoneration))
    assert exonerations > 0
    before = snapshot()
    second = run(db, generated, "genere.csv")
    assert (second.foyers.crees, second.foyers.modifies) == (0, 0)
    assert (second.membres.crees, second.membres.modifies, second.membres.inchanges) == (0, 0, GENERATED)
    assert second.exonerations_remplacees == 0
    assert snapshot() == before


def test_one_bad_row_at_line_734_changes_nothing_and_is_named(db, generated):
    run(db, generated, "genere.csv")
    before = snapshot()
    line = generated.decode().split("\n")[733].split(";")
    line[8] = "30/02/1990"  # date_naissance: no such day
    changed = with_line_replaced(generated, 734, ";".join(line))
    # and the rest of the file changed everywhere, which must not be written either
    changed = changed.replace(b";verte;", b";rose;")
    report = run(db, changed, "genere.csv")
    assert report.refused and report.error_total == 1
    assert report.refused_lines == [734]
    assert str(report.errors[0]).startswith("ligne 734, colonne « date_naissance » : date invalide « 30/02/1990 »")
    assert snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(Fse)) == 0


def test_the_first_import_of_a_bad_generated_file_writes_nothing(db, generated):
    line = generated.decode().split("\n")[733].split(";")
    line[4] = "0"
    report = run(db, with_line_replaced(generated, 734, ";".join(line)))
    assert report.refused_lines == [734] and report.errors[0].column == "rang"
    assert snapshot() == ([], [], [])


def test_progress_is_told_over_the_checks_and_the_writes(db, generated):
    checked, written = [], []
    report = importer.import_registre(db.session, generated, "genere.csv", today=TODAY,
                                      progress_check=checked.append, progress_write=written.append)
    db.session.rollback()
    assert not report.refused
    assert sum(checked) == GENERATED and sum(written) == GENERATED
