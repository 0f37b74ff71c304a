"""The registry file's checks (pure): every field's format, the header, the households as wholes,
line numbers of the file (header = 1), French messages, every error collected and capped."""

from datetime import date

import pytest

from app.domain import registre as r

TODAY = date(2026, 11, 23)
NATURES = {11, 12, 13, 41, 43, 45}
HEADER = ";".join(r.COLUMNS)
INSURED = "100011;H3K7;CCSS;verte;1;assure;Fautrier;Claire;14/02/1975;01/01/2000;;"
SPOUSE = "100011;H3K7;CCSS;verte;2;conjoint;Fautrier;Marc;03/09/1973;01/01/2000;;41:01/03/2024:28/02/2029"


def read(*lines: str, header: str = HEADER, newline: str = "\n") -> r.Parsed:
    return r.read_registre(newline.join([header, *lines]) + newline, NATURES, TODAY)


def errors_of(*lines: str, **kwargs) -> list[tuple[int, str | None]]:
    return [(e.line, e.column) for e in read(*lines, **kwargs).errors.kept]


def only_error(*lines: str) -> r.RowError:
    parsed = read(*lines)
    assert parsed.errors.total == 1, parsed.errors.kept
    return parsed.errors.kept[0]


def row(**changes) -> str:
    values = dict(zip(r.COLUMNS, INSURED.split(";"), strict=True))
    values.update(changes)
    return ";".join(values[name] for name in r.COLUMNS)


# --- a good file --------------------------------------------------------------------------------

def test_a_good_household_is_read_with_its_values():
    parsed = read(INSURED, SPOUSE)
    assert not parsed.errors and parsed.lines == 2
    insured, spouse = parsed.rows
    assert insured == r.MemberRow(2, "100011", "H3K7", "CCSS", "verte", 1, "assure", "Fautrier", "Claire",
                                  date(1975, 2, 14), date(2000, 1, 1), None, ())
    assert spouse.line == 3 and spouse.exonerations == (r.ExonerationRow(41, date(2024, 3, 1), date(2029, 2, 28)),)


def test_values_are_normalised():
    parsed = read(" 100011 ; h3k7 ; ccss ; VERTE ; 1 ; Assuré ;  Fautrier   de  Sainte ; Claire ; 1975-02-14 ; 1/1/2000 ; ; ")
    assert not parsed.errors, parsed.errors.kept
    (member,) = parsed.rows
    assert (member.code_fse, member.caisse, member.couleur, member.qualite) == ("H3K7", "CCSS", "verte", "assure")
    assert member.nom == "Fautrier de Sainte" and member.droits_debut == date(2000, 1, 1)


def test_header_in_any_order_and_case_crlf_and_blank_lines():
    columns = list(reversed(r.COLUMNS))
    values = dict(zip(r.COLUMNS, INSURED.split(";"), strict=True))
    line = ";".join(values[name] for name in columns)
    parsed = read("", line, "   ", header=";".join(c.upper() for c in columns), newline="\r\n")
    assert not parsed.errors and parsed.lines == 1 and parsed.rows[0].line == 3


def test_a_quoted_cell_over_two_lines_counts_from_its_first_line():
    parsed = read(INSURED, '100012;P8N4;CAMTI;rose;1;assure;"D\'Ago\nstino";Hélène;05/05/1962;01/01/1995;;',
                  row(matricule="12"))
    assert [e.line for e in parsed.errors.kept] == [5]  # the third data row starts on line 5
    assert parsed.errors.kept[0].column == "matricule"


# --- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("14/02/1975", date(1975, 2, 14)), ("1/3/2024", date(2024, 3, 1)), ("2024-03-01", date(2024, 3, 1)),
    ("29/02/2024", date(2024, 2, 29)),
])
def test_parse_date_accepts(text, expected):
    assert r.parse_date(text) == expected


@pytest.mark.parametrize("text", ["29/02/2023", "31/04/2024", "2024-3-1", "14.02.1975", "14/02/75", "", "demain",
                                  "00/01/2020", "2024-13-01", "١٤/٠٢/١٩٧٥"])
def test_parse_date_refuses(text):
    assert r.parse_date(text) is None


# --- each field ---------------------------------------------------------------------------------

@pytest.mark.parametrize("column, value, words", [
    ("matricule", "12345", "6 chiffres"), ("matricule", "1234567", "6 chiffres"), ("matricule", "12345A", "6 chiffres"),
    ("matricule", "", "6 chiffres"),
    ("code_fse", "H3K", "4 lettres ou chiffres"), ("code_fse", "H3-7", "4 lettres ou chiffres"), ("code_fse", "", "4 lettres"),
    ("caisse", "CNAM", "caisse inconnue « CNAM »"), ("caisse", "", "caisse inconnue"),
    ("couleur", "bleue", "couleur inconnue « bleue » : verte, rose, bulle"),
    ("rang", "0", "rang invalide"), ("rang", "100", "de 1 à 99"), ("rang", "1,5", "rang invalide"), ("rang", "", "rang invalide"),
    ("rang", "²", "rang invalide"),
    ("qualite", "epoux", "qualité inconnue « epoux »"),
    ("nom", "", "obligatoire"), ("prenom", "  ", "obligatoire"), ("nom", "X" * 81, "80 caractères au plus (ici 81)"),
    ("prenom", "Cla\x01ire", "caractère de contrôle"),
    ("date_naissance", "", "date obligatoire"), ("date_naissance", "31/02/1975", "date invalide « 31/02/1975 »"),
    ("date_naissance", "24/11/2026", "date de naissance impossible (24/11/2026)"),
    ("date_naissance", "31/12/1899", "date de naissance impossible"),
    ("droits_debut", "", "date obligatoire"), ("droits_debut", "01/01/1970", "commencent avant la naissance (14/02/1975)"),
    ("droits_fin", "31/12/1999", "la fin des droits (31/12/1999) précède leur début (01/01/2000)"),
    ("droits_fin", "bientôt", "date invalide « bientôt »"),
])
def test_each_field_is_checked_in_french(column, value, words):
    error = only_error(row(**{column: value}))
    assert (error.line, error.column) == (2, column)
    assert words in error.message, error.message


def test_a_long_cell_is_cut_in_the_message():
    error = only_error(row(caisse="C" * 100))
    assert "C" * 39 + "…" in error.message and "C" * 41 not in error.message


def test_every_error_of_a_row_is_reported():
    parsed = read("12;H;XX;bleue;0;epoux;;;hier;;;99:x")
    assert [e.column for e in parsed.errors.kept] == sorted(
        ["matricule", "code_fse", "caisse", "couleur", "rang", "qualite", "nom", "prenom", "date_naissance",
         "droits_debut", "exonerations"], key=list(r.COLUMNS).index)
    assert not parsed.rows


def test_the_today_bound_is_inclusive():
    assert not read(row(date_naissance="23/11/2026", droits_debut="23/11/2026")).errors


# --- exonerations -------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    ("41:01/03/2024", (r.ExonerationRow(41, date(2024, 3, 1), None),)),
    ("41:01/03/2024:", (r.ExonerationRow(41, date(2024, 3, 1), None),)),
    ("41:2024-03-01:2029-02-28 | 11:10/04/2025:31/07/2025",
     (r.ExonerationRow(41, date(2024, 3, 1), date(2029, 2, 28)), r.ExonerationRow(11, date(2025, 4, 10), date(2025, 7, 31)))),
    ("41:01/03/2024|41:01/03/2025", (r.ExonerationRow(41, date(2024, 3, 1), None), r.ExonerationRow(41, date(2025, 3, 1), None))),
])
def test_exonerations_are_read(cell, expected):
    parsed = read(row(exonerations=cell))
    assert not parsed.errors, parsed.errors.kept
    assert parsed.rows[0].exonerations == expected


@pytest.mark.parametrize("cell, words", [
    ("41", "écrivez nature:début:fin"), ("41:01/03/2024:01/01/2030:x", "écrivez nature:début:fin"),
    (":01/03/2024", "écrivez nature:début:fin"), ("41:", "écrivez nature:début:fin"),
    ("42:01/03/2024", "nature d'exonération inconnue « 42 »"), ("ALD:01/03/2024", "nature d'exonération inconnue"),
    ("0:01/03/2024", "nature d'exonération inconnue « 0 »"),
    ("41:32/03/2024", "date invalide"), ("41:01/03/2024:jamais", "date invalide"),
    ("41:01/03/2024:28/02/2024", "la fin (28/02/2024) précède le début (01/03/2024)"),
    ("41:01/01/1970", "précède la naissance (14/02/1975)"),
    ("41:01/03/2024|41:01/03/2024:01/01/2030", "exonération n° 2 « 41:01/03/2024:01/01/2030 » : en double"),
    ("41:01/03/2024|", "exonération n° 2"),
    ("|".join(["41:01/03/2024"] * 21), "20 exonérations au plus"),
])
def test_exonerations_are_checked(cell, words):
    error = only_error(row(exonerations=cell))
    assert (error.line, error.column) == (2, "exonerations")
    assert words in error.message, error.message


def test_each_bad_exoneration_is_reported():
    parsed = read(row(exonerations="42:01/03/2024|41:01/03/2024|41:bad"))
    assert [m.message.split(" «")[0] for m in parsed.errors.kept] == ["exonération n° 1", "exonération n° 3"]


# --- the header and the lines' shape -----------------------------------------------------------

def test_header_missing_unknown_and_doubled_columns():
    header = HEADER.replace("couleur", "couleur_carte") + ";nom"
    parsed = read(INSURED, header=header)
    (error,) = parsed.errors.kept
    assert (error.line, error.column) == (1, None)
    assert "colonnes manquantes : couleur" in error.message
    assert "colonnes inconnues : couleur_carte" in error.message and "colonnes en double : nom" in error.message
    assert HEADER in error.message and not parsed.rows


def test_an_empty_file_and_a_header_alone():
    parsed = r.read_registre("", NATURES, TODAY)
    assert [(e.line, e.message[:12]) for e in parsed.errors.kept] == [(1, "fichier vide")]
    assert errors_of() == [(2, None)]
    assert "aucune ligne" in read().errors.kept[0].message


def test_a_line_with_the_wrong_number_of_columns():
    parsed = read(INSURED, "100011;H3K7;CCSS,verte,2")
    assert [(e.line, e.column) for e in parsed.errors.kept] == [(3, None)]
    assert "compte 3 colonnes au lieu de 12" in parsed.errors.kept[0].message


def test_decode_utf8_with_or_without_bom_else_the_line():
    assert r.decode("é".encode()) == "é" and r.decode(b"\xef\xbb\xbfabc") == "abc"
    with pytest.raises(r.FileError) as caught:
        r.decode(b"a\nb\nc\xe9\n")
    assert caught.value.line == 3 and "UTF-8" in caught.value.message


# --- households ---------------------------------------------------------------------------------

def test_rows_of_a_household_share_code_caisse_and_colour():
    parsed = read(INSURED, SPOUSE.replace("H3K7;CCSS;verte", "H3K8;CAMTI;rose"))
    assert [(e.line, e.column) for e in parsed.errors.kept] == [(3, "code_fse"), (3, "caisse"), (3, "couleur")]
    assert "« CAMTI » diffère de la caisse du foyer 100011 (« CCSS », ligne 2)" in parsed.errors.kept[1].message


def test_rangs_are_unique_in_a_household():
    error = only_error(INSURED, SPOUSE, SPOUSE.replace("conjoint;Fautrier;Marc", "enfant;Fautrier;Léo"))
    assert (error.line, error.column) == (4, "rang")
    assert error.message == "le rang 2 du foyer 100011 figure déjà ligne 3."


def test_the_same_rang_in_two_households_is_fine():
    assert not read(INSURED, INSURED.replace("100011", "100012")).errors


def test_rang_1_is_the_insured_and_only_him():
    assert errors_of(row(qualite="conjoint")) == [(2, "qualite")]  # one error, not a second « no assuré »
    error = only_error(INSURED, SPOUSE.replace("conjoint", "assure"))
    assert (error.line, error.column) == (3, "qualite") and "un seul assuré par foyer" in error.message


def test_every_household_has_its_insured():
    error = only_error(INSURED, SPOUSE.replace("100011", "100012"))
    assert (error.line, error.column) == (3, "rang")
    assert "le foyer 100012 n'a pas d'assuré" in error.message


def test_a_household_whose_insured_is_refused_is_not_reported_twice():
    parsed = read(row(date_naissance="xx"), SPOUSE)
    assert [(e.line, e.column) for e in parsed.errors.kept] == [(2, "date_naissance")]


def test_rows_of_a_household_need_not_follow_each_other():
    other = INSURED.replace("100011", "100012")
    assert not read(SPOUSE, other, INSURED).errors


def test_gaps_in_rangs_are_allowed():
    assert not read(INSURED, SPOUSE.replace(";2;conjoint", ";5;enfant")).errors


# --- collected, ordered, capped -----------------------------------------------------------------

def test_all_errors_are_collected_in_line_order_and_capped():
    lines = [row(matricule=f"{100000 + i}", nom="") for i in range(150)]  # 150 name errors
    lines.append(SPOUSE.replace("100011", "999999"))  # no insured: a household error, line 152
    lines.insert(0, SPOUSE.replace("100011", "999998"))  # no insured: a household error, line 2
    parsed = read(*lines)
    assert parsed.errors.total == 152 and len(parsed.errors.kept) == r.MAX_ERRORS
    assert parsed.errors.more == 52
    kept = [e.line for e in parsed.errors.kept]
    assert kept == sorted(kept) and kept[0] == 2 and kept[-1] == r.MAX_ERRORS + 1


def test_errors_merge_keeps_the_lowest_lines():
    first, second = r.Errors(limit=3), r.Errors(limit=3)
    for line in (5, 6, 7, 8):
        first.add(line, None, "a")
    for line in (1, 9):
        second.add(line, None, "b")
    first.merge(second)
    assert [e.line for e in first.kept] == [1, 5, 6] and first.total == 6 and first.more == 3


def test_row_error_in_words():
    assert str(r.RowError(734, "date_naissance", "date invalide.")) == "ligne 734, colonne « date_naissance » : date invalide."
    assert str(r.RowError(1, None, "en-tête invalide.")) == "ligne 1 : en-tête invalide."


def test_progress_is_told_by_thousands():
    told = []
    lines = [INSURED.replace("100011", f"{100000 + i}") for i in range(2500)]
    parsed = r.read_registre("\n".join([HEADER, *lines]), NATURES, TODAY, told.append)
    assert not parsed.errors and told == [1000, 1000, 500]


def test_an_unreadable_line_is_named_in_french():
    parsed = read(INSURED, row(matricule="100012", nom="X" * 140000))
    assert [(e.line, e.column) for e in parsed.errors.kept] == [(3, None)]
    assert parsed.errors.kept[0].message == "ligne illisible : une cellule dépasse 131\u00a0072 caractères."
    assert parsed.lines == 2
