"""The journal's words: every action code written by the portal has a label and a filter group."""

import re
from pathlib import Path

import pytest

from app.domain import audit_labels as labels

APP = Path(__file__).resolve().parents[2] / "app"
# record("action", ...) or record(\n    "action", ...) anywhere in the application.
DIRECT_CALL = re.compile(r"""\brecord\(\s*["']([^"']+)["']""")
# Codes handed to record() through a variable: the sign-in's extra events, the demo's journal.
INDIRECT_SOURCES = {
    "auth/routes.py": re.compile(r"""\(\s*["']([a-z_]+(?:\.[a-z_]+)*)["']\s*,\s*\{"""),
    "demo/journal.py": re.compile(r"""["']([a-z_]+\.[a-z_]+)["']"""),
}


def recorded_actions() -> set[str]:
    """Every action code the application's source hands to record()."""
    found = set()
    for path in APP.rglob("*.py"):
        found.update(DIRECT_CALL.findall(path.read_text(encoding="utf-8")))
    for relative, pattern in INDIRECT_SOURCES.items():
        path = APP / relative
        if path.exists():
            found.update(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_scan_finds_the_portals_actions():
    actions = recorded_actions()
    # the scan itself must work, or the next test would pass on nothing
    assert {"connexion", "connexion.mot_de_passe", "patient.recherche", "fse.transmission",
            "assistant.ajout", "enrolement"} <= actions
    assert len(actions) >= 20


@pytest.mark.parametrize("action", sorted(recorded_actions()))
def test_every_recorded_action_has_words_and_a_group(action):
    assert action in labels.ACTION_LABELS, f"« {action} » n'a pas de libellé dans app/domain/audit_labels.py"
    assert labels.group_of(action) is not None, f"« {action} » n'appartient à aucun groupe du filtre"


@pytest.mark.parametrize("action", sorted(labels.ACTION_LABELS))
def test_every_label_is_french_words_in_a_group(action):
    label = labels.action_label(action)
    assert label and label != action and label[0].isupper()
    assert labels.group_of(action) is not None
    for resultat in labels.RESULT_LABELS:
        assert labels.action_label(action, resultat)


def test_labels_named_in_the_issue():
    assert labels.action_label("connexion", "succes") == "Connexion réussie"
    assert labels.action_label("connexion.code", "echec") == "Code de double authentification refusé"
    assert labels.action_label("patient.recherche", "succes") == "Recherche d'un patient"
    assert labels.action_label("fse.transmission", "succes") == "FSE transmise"
    assert labels.action_label("fse.suppression", "succes") == "FSE supprimée"
    assert labels.action_label("fse.export", "succes") == "Export CSV de l'historique"
    assert labels.action_label("precodee.creation", "succes") == "FSE pré-codée enregistrée"


def test_an_unknown_code_shows_itself():
    assert labels.action_label("formulaire.it", "succes") == "formulaire.it"
    assert labels.action_label("", "succes") == ""
    assert labels.group_of("formulaire.it") == "formulaires"
    assert labels.group_of("inconnu.chose") is None


def test_outcomes():
    assert labels.result_label("succes") == "Réussi"
    assert labels.result_label("echec") == "Échec"
    assert labels.result_label("refus") == "Refusé"
    assert labels.result_label("autre") == "autre"


def test_groups_cover_the_eight_kinds_in_order():
    assert [label for _, label in labels.group_choices()] == [
        "Connexions et sécurité", "Patients", "FSE", "FSE pré-codées", "HNP", "Assistants", "Formulaires", "Caisse"]
    assert labels.group_of("caisse.praticien.suspension") == "caisse"
    assert labels.group_of("connexion") == labels.group_of("connexion.code") == "securite"
    assert labels.group_of("deconnexion") == "securite"
    assert labels.group_of("precodee.renommage") == "precodees"
    assert labels.group_of("ordiposte.decompte") == "hnp"
    assert labels.group_families("nimporte") == ()


def test_families_never_overlap():
    seen = [fam for _, (_, families) in labels.GROUPS.items() for fam in families]
    assert len(seen) == len(set(seen))


def test_only_known_harmless_details_are_shown():
    assert labels.safe_detail("inactivite") == "inactivité"
    assert labels.safe_detail("matricule ou code FSE incorrect") == "matricule ou code FSE incorrect"
    assert labels.safe_detail("Bellando Marc, 100001") is None
    assert labels.safe_detail("du 2026-01-01 au (sans fin)") is None
    assert labels.safe_detail(None) is None


def test_objects():
    assert labels.object_label("fse", "42") == "FSE n° 42"
    assert labels.object_label("ordiposte", "7") == "Ordiposte n° 7"
    assert labels.object_label("foyer", "12") is None  # which household was looked up stays out
    assert labels.object_label("compte", "3") is None
    assert labels.object_label("route", "profile.journal") == "page « Profil »"
    assert labels.object_label("route", "inconnu.vue") is None
    assert labels.object_label("fse", None) is None


def test_actor_without_account():
    assert labels.actor_without_account("ordiposte.creation") == "la caisse"
    assert labels.actor_without_account("connexion.mot_de_passe") == "—"
