"""Reading the reference files: real counts, known quirks of the sources, and precise refusals."""

from datetime import date
from pathlib import Path

import pytest

from app.referentiel.importer import DATA_DIR, SAMPLE_TARIFFS
from app.referentiel.parsing import (
    ReferentielError,
    parse_ccam,
    parse_etm,
    parse_prestations,
    parse_tarifs,
)


def test_ccam_file_gives_every_act_of_v63():
    acts = parse_ccam(DATA_DIR / "ccam_v63_actes.csv")
    # 8,170 data lines; 9 quoted fields span two lines, so 8,161 records, one of them a note (NT_09).
    assert sum(1 for _ in (DATA_DIR / "ccam_v63_actes.csv").open(encoding="utf-8")) - 1 == 8170
    assert len(acts) == 8160
    codes = {a.code for a in acts}
    assert len(codes) == 8160
    assert {"HBJD001", "HBQK389", "DEQP003", "JANH798", "YYYY603"} <= codes
    assert not any(code.startswith("NT_") for code in codes)


def test_ccam_labels_spanning_two_lines_are_joined():
    acts = {a.code: a for a in parse_ccam(DATA_DIR / "ccam_v63_actes.csv")}
    assert acts["HBLD318"].libelle == ("Pose d'une couronne dentaire dentoportée en alliage précieux "
                                       "Avec ou sans recouvrement céramique")
    assert acts["JANH798"].libelle.startswith("Destruction de tumeur rénale")
    assert "\n" not in "".join(a.libelle for a in acts.values())


def test_prestations_and_etm():
    keys = parse_prestations(DATA_DIR / "prestations_nat.csv")
    assert keys["C"].libelle == "CONSULTATION COTEE C" and keys["C"].majoration is False
    assert keys["MD"].majoration is True
    natures = {n.code: n for n in parse_etm(DATA_DIR / "etm_natures.csv")}
    assert len(natures) == 19 and natures[41].code_court == "LIS"


def test_sample_tariffs_expand_one_row_per_profession():
    rows = parse_tarifs(SAMPLE_TARIFFS)
    assert len(rows) == 48  # 42 lines, 4 of them for several professions
    assert sum(1 for r in rows if r.code == "F" and r.kind.value == "MAJ") == 3


def test_each_tariff_row_can_name_its_line():
    lines: dict = {}
    rows = parse_tarifs(SAMPLE_TARIFFS, None, lines)
    assert set(lines) == {row.key for row in rows}
    assert lines[("NGAP", "C", "medecin", date(2025, 1, 1))] == 2  # 1 = the header
    f_lines = {lines[(kind, "F", p, date(2025, 1, 1))] for kind, p in (("MAJ", "medecin"), ("MAJ", "sagefemme"))}
    assert len(f_lines) == 1  # one line, one row per profession it names


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "type;code;professions;valeur;date_effet;libelle\n"
GOOD = "NGAP;C;medecin;28.00;2025-01-01;Consultation\n"


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("NGAP;C;medecin;28,00;2025-01-01;Consultation", "valeur « 28,00 » invalide"),
        ("NGAP;C;medecin;abc;2025-01-01;Consultation", "valeur « abc » invalide"),
        ("NGAP;C;medecin;-5.00;2025-01-01;Consultation", "valeur « -5.00 » invalide"),
        ("NGAP;C;medecin;15%;2025-01-01;Consultation", "pourcentage n'est permis que pour un modificateur"),
        ("XYZ;C;medecin;28.00;2025-01-01;Consultation", "type « XYZ » inconnu"),
        ("NGAP;C;plombier;28.00;2025-01-01;Consultation", "profession « plombier » inconnue"),
        ("NGAP;C;*,medecin;28.00;2025-01-01;Consultation", "ne le combinez pas"),
        ("NGAP;C;medecin;28.00;01/01/2025;Consultation", "date d'effet « 01/01/2025 » invalide"),
        ("NGAP;C;medecin;28.00;2025-01-01;", "libellé vide"),
        ("CCAM;HBJD00;dentiste;28.92;2025-01-01;Détartrage", "code « HBJD00 » invalide"),
        ("MOD;FF;*;19.06;2025-01-01;Modificateur", "code « FF » invalide"),
        ("NGAP;C;medecin;28.00;2025-01-01", "5 colonnes au lieu de 6"),
        ("NGAP;C;medecin;30.00;2024-01-01;Consultation\nNGAP;C;medecin;31.00;2024-01-01;Bis", "figure déjà plus haut"),
    ],
)
def test_malformed_tariff_row_names_file_line_and_reason(tmp_path, bad_line, reason):
    path = write(tmp_path, "tarifs.csv", HEADER + GOOD + bad_line + "\n")
    with pytest.raises(ReferentielError) as error:
        parse_tarifs(path)
    expected_line = 3 if "figure déjà" not in reason else 4
    assert error.value.ligne == expected_line
    assert reason in str(error.value)
    assert str(error.value).startswith(f"tarifs.csv, ligne {expected_line} : ")


def test_tariff_for_an_act_missing_from_the_nomenclature(tmp_path):
    path = write(tmp_path, "tarifs.csv", HEADER + "CCAM;ZZZZ999;medecin;10.00;2025-01-01;Inconnu\n")
    with pytest.raises(ReferentielError, match="ligne 2 : l'acte ZZZZ999 n'existe pas"):
        parse_tarifs(path, {"HBJD001"})


def test_missing_column_and_wrong_encoding(tmp_path):
    with pytest.raises(ReferentielError, match="ligne 1 : colonne « valeur » absente"):
        parse_tarifs(write(tmp_path, "t.csv", "type;code;professions;date_effet;libelle\n"))
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((HEADER + "NGAP;C;medecin;28.00;2025-01-01;Détartrage\n").encode("latin-1"))
    with pytest.raises(ReferentielError, match="latin1.csv, ligne 2 : le fichier n'est pas encodé en UTF-8"):
        parse_tarifs(latin1)


def test_ccam_refuses_a_bad_code_with_its_physical_line(tmp_path):
    text = ('"CAM_PRS_IDE_COD";"CAM_PRS_IDE_LIB";"CAM_PRS_RGT"\n'
            '"AHQP001";"Un libellé\nsur deux lignes";"ATM"\n'
            '"AHQ-002";"Autre";"ATM"\n')
    with pytest.raises(ReferentielError, match="ccam.csv, ligne 4 : code CCAM « AHQ-002 » invalide"):
        parse_ccam(write(tmp_path, "ccam.csv", text))


def test_the_natures_that_exonerate_are_exactly_those_with_a_short_code():
    """The demande d'ETM offers the natures with a short code (app/formulaires/services.etm_natures):
    in the caisse's file they are exactly the rows with TOP_ETM = 1."""
    import csv

    with (DATA_DIR / "etm_natures.csv").open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source, delimiter=";"))
    assert rows and all((row["TOP_ETM"] == "1") == bool(row["ETM_NAT_CB2"].strip()) for row in rows)
