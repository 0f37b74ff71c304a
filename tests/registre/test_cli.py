"""`flask registre import FICHIER`: the report, a second run changing nothing, a refused file
(exit status 1, its lines printed, nothing written), each run audited without an account."""

from sqlalchemy import select

from app.extensions import db
from app.models import JournalAudit
from app.registre.generated import generated_registry
from tests.registre.helpers import SAMPLE, csv_bytes, snapshot, with_line_replaced


def audits() -> list[JournalAudit]:
    db.session.expire_all()
    return list(db.session.scalars(select(JournalAudit).where(JournalAudit.action == "caisse.registre.import")
                                   .order_by(JournalAudit.numero)))


def test_import_prints_the_report_then_a_second_run_changes_nothing(runner, app_ctx):
    result = runner.invoke(args=["registre", "import", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "« exemple-registre.csv » importé : 10 lignes (sha256 " in result.output
    assert "Foyers        : 5 créés, 0 modifiés, 0 inchangés" in result.output
    assert "Bénéficiaires : 10 créés, 0 modifiés, 0 inchangés" in result.output
    before = snapshot()
    again = runner.invoke(args=["registre", "import", str(SAMPLE)])
    assert again.exit_code == 0 and "Registre déjà à jour : aucune modification." in again.output
    assert snapshot() == before and len(before[1]) == 10
    first, second = audits()
    assert (first.resultat, first.compte_id, first.ip, first.user_agent) == ("succes", None, "127.0.0.1",
                                                                             "flask registre import")
    assert "foyers : 0 créés, 0 modifiés, 5 inchangés" in second.details


def test_a_bad_file_exits_1_prints_its_lines_and_writes_nothing(runner, app_ctx, tmp_path):
    path = tmp_path / "mauvais.csv"
    path.write_bytes(csv_bytes("100011;H3K7;CCSS;verte;1;assure;Fautrier;Claire;14/02/1975;01/01/2000;;",
                               "100011;H3K7;CCSS;verte;1;enfant;Fautrier;Léa;14/02/2015;14/02/2015;;"))
    result = runner.invoke(args=["registre", "import", str(path)])
    assert result.exit_code == 1
    assert "Fichier refusé, rien n'a été modifié : 2 erreur(s)." in result.output
    assert "ligne 3, colonne « rang » : le rang 1 du foyer 100011 figure déjà ligne 2." in result.output
    assert "ligne 3, colonne « qualite »" in result.output
    assert snapshot() == ([], [], [])
    (row,) = audits()
    assert row.resultat == "refus" and "mauvais.csv" in row.details and "lignes 3" in row.details


def test_a_large_file_shows_progress_and_line_734_is_named(runner, app_ctx, tmp_path):
    data = generated_registry(3000)
    line = data.decode().split("\n")[733].split(";")
    line[9] = "01/01/1800"  # rights before the birth
    path = tmp_path / "grand.csv"
    path.write_bytes(with_line_replaced(data, 734, ";".join(line)))
    refused = runner.invoke(args=["registre", "import", str(path)])
    assert refused.exit_code == 1 and "Vérification" in refused.output
    assert "ligne 734, colonne « droits_debut » : les droits (01/01/1800) commencent avant la naissance" in refused.output
    assert snapshot() == ([], [], [])
    path.write_bytes(data)
    done = runner.invoke(args=["registre", "import", str(path)])
    assert done.exit_code == 0 and "Écriture" in done.output
    assert "Bénéficiaires : 3000 créés" in done.output


def test_a_missing_file_is_refused_by_click(runner, app_ctx, tmp_path):
    result = runner.invoke(args=["registre", "import", str(tmp_path / "absent.csv")])
    assert result.exit_code == 2 and not audits()
