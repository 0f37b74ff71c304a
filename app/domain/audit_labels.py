"""The audit trail in words, for the « Journal d'activité »: what each action code means, its outcome,
the groups of the filter, and the few details that may be shown (pure, no Flask, no database).

Codes come from `app.audit.services.record(...)` calls; a new code without a label fails
tests/domain/test_audit_labels.py, and until it has one the page shows the code itself.
"""

from __future__ import annotations

# action code -> words; the outcome may refine them (ACTION_OUTCOME_LABELS).
ACTION_LABELS = {
    # Sign-in and security
    "connexion": "Connexion réussie",
    "connexion.mot_de_passe": "Mot de passe de connexion",
    "connexion.code": "Code de double authentification",
    "connexion.limitee": "Connexion bloquée : trop de tentatives",
    "connexion.suspendue": "Connexion refusée",
    "deconnexion": "Déconnexion",
    "session.expiree": "Session expirée",
    "acces.refuse": "Accès refusé",
    "enrolement": "Activation de la double authentification",
    "activation": "Activation du compte",
    "mot_de_passe.changement": "Changement de mot de passe",
    "reauthentification": "Confirmation d'identité",
    "compte.creation": "Création du compte",
    "compte.deblocage": "Déblocage du compte par un administrateur",
    # Operations (`flask backup`, `flask restore`: no account; rows of the portal, not of a praticien)
    "sauvegarde.creation": "Sauvegarde de la base de données",
    "sauvegarde.restauration": "Base de données restaurée depuis une sauvegarde",
    # Subscription requests (public page: no account; no personal data in the row)
    "abonnement.demande": "Demande d'abonnement reçue",
    # Patients
    "patient.recherche": "Recherche d'un patient",
    # FSE
    "fse.transmission": "FSE transmise",
    "fse.reinitialisation": "FSE en cours réinitialisée",
    "fse.suppression": "FSE supprimée",
    "fse.export": "Export CSV de l'historique",
    "fse.rejets_vus": "Prise de connaissance des rejets de FSE",
    # Pre-coded FSE
    "precodee.creation": "FSE pré-codée enregistrée",
    "precodee.renommage": "FSE pré-codée renommée",
    "precodee.suppression": "FSE pré-codée supprimée",
    # HNP
    "ordiposte.creation": "Ordiposte : FSE HNP payées par la caisse",
    "ordiposte.decompte": "Fiche de décompte téléchargée",
    # Forms (never their medical elements)
    "formulaire.transmission": "Formulaire transmis à la caisse",
    "formulaire.copie_employeur": "Exemplaire employeur d'une IT imprimé",
    "formulaire.lecture": "Éléments médicaux d'un formulaire lus par le médecin conseil",
    "formulaire.decision": "Décision du médecin conseil sur une demande",
    # Assistants
    "assistant.ajout": "Assistant(e) ajouté(e)",
    "assistant.modification": "Validité d'un(e) assistant(e) modifiée",
    "assistant.suppression": "Assistant(e) supprimé(e)",
    # Caisse (the back office: the agent who acted is the row's account)
    "caisse.abonnement.approbation": "Demande d'abonnement approuvée par la caisse",
    "caisse.abonnement.refus": "Demande d'abonnement refusée par la caisse",
    "caisse.praticien.suspension": "Accès au portail suspendu par la caisse",
    "caisse.praticien.reactivation": "Accès au portail rétabli par la caisse",
    "caisse.praticien.lien_activation": "Nouveau lien d'activation créé par la caisse",
    "caisse.fse.rejet": "FSE rejetée par la caisse",
    "caisse.ordiposte.creation": "Ordiposte créé par la caisse : FSE HNP/RDD payées",
    "caisse.ordiposte.decompte": "Fiche de décompte téléchargée par la caisse",
    "caisse.registre.import": "Import du registre des assurés",
    "caisse.tarifs.import": "Tarifs importés par la caisse",
    "caisse.convention.modification": "Règle d'une couleur de carte modifiée par la caisse (à partir d'une date)",
    "caisse.convention.annulation": "Modification prévue d'une règle de couleur annulée par la caisse",
}

ACTION_OUTCOME_LABELS = {
    ("connexion.mot_de_passe", "succes"): "Mot de passe accepté",
    ("connexion.mot_de_passe", "echec"): "Mot de passe refusé",
    ("connexion.mot_de_passe", "refus"): "Connexion refusée : accès hors de ses dates de validité",
    ("connexion.code", "succes"): "Code de double authentification accepté",
    ("connexion.code", "echec"): "Code de double authentification refusé",
    ("enrolement", "echec"): "Code d'activation de la double authentification refusé",
    ("mot_de_passe.changement", "echec"): "Changement de mot de passe refusé",
    ("reauthentification", "echec"): "Confirmation d'identité refusée",
    ("assistant.ajout", "echec"): "Ajout d'un(e) assistant(e) refusé",
    ("patient.recherche", "echec"): "Recherche d'un patient sans résultat",
    ("abonnement.demande", "refus"): "Demande d'abonnement refusée : trop de demandes depuis la même adresse",
    ("patient.recherche", "refus"): "Recherche d'un patient refusée",
    ("fse.suppression", "echec"): "Suppression d'une FSE refusée",
    ("fse.suppression", "refus"): "Suppression d'une FSE refusée",
    ("caisse.registre.import", "refus"): "Import du registre refusé : fichier invalide, rien n'a été modifié",
}

RESULT_LABELS = {"succes": "Réussi", "echec": "Échec", "refus": "Refusé"}

# Filter groups, in the order of the list: key -> (words, action families). The family of a code is
# what precedes its first dot, so a new code of a known family falls in its group by itself.
GROUPS = {
    "securite": ("Connexions et sécurité", ("connexion", "deconnexion", "session", "acces", "enrolement",
                                             "activation", "mot_de_passe", "reauthentification", "compte",
                                             "abonnement", "sauvegarde")),
    "patients": ("Patients", ("patient",)),
    "fse": ("FSE", ("fse",)),
    "precodees": ("FSE pré-codées", ("precodee",)),
    "hnp": ("HNP", ("ordiposte",)),
    "assistants": ("Assistants", ("assistant",)),
    "formulaires": ("Formulaires", ("formulaire",)),
    "caisse": ("Caisse", ("caisse",)),
}

# Details are free text written by each feature: only these exact, known-harmless ones are shown
# (a detail a future feature writes, which might name a patient, is never shown by accident).
SAFE_DETAILS = {
    "sans double authentification (avant la date butoir)": "sans double authentification",
    "hors des dates de validité": "hors des dates de validité",
    "inactivite": "inactivité",
    "duree_maximale": "durée maximale atteinte",
    "acces_termine": "accès terminé",
    "acces_suspendu": "accès suspendu par la caisse",
    "trop de tentatives": "trop de tentatives",
    "matricule ou code FSE incorrect": "matricule ou code FSE incorrect",
    "code du téléphone incorrect": "code du téléphone incorrect",
    "code refusé": "code refusé",
    "par un administrateur": "par un administrateur",
    "matricule ou date de naissance incorrect": "matricule ou date de naissance incorrect",
    "formulaire, par code FSE": "pour un formulaire, par code FSE",
    "formulaire, par date de naissance": "pour un formulaire, par date de naissance",
}

# Object types worth naming, with the words before their number; others (a household looked up,
# the account itself) are left out on purpose.
OBJECT_LABELS = {
    "fse": "FSE n° {}",
    "ordiposte": "Ordiposte n° {}",
    "precodee": "FSE pré-codée n° {}",
    "fse_precodee": "FSE pré-codée n° {}",
    "formulaire": "Formulaire n° {}",
}

# Pages an assistant may have been refused, by blueprint (the navigation's words).
AREAS = {
    "profile": "Profil",
    "fse": "Élaborer une FSE",
    "history": "Historique FSE",
    "precoded": "FSE pré-codées",
    "hnp": "HNP",
    "formulaires": "Formulaires",
}


def family(action: str) -> str:
    """The family of an action code: what precedes its first dot (« fse.transmission » → « fse »)."""
    return action.split(".", 1)[0]


def action_label(action: str, resultat: str | None = None) -> str:
    """The action in French words, refined by its outcome; an unknown code shows itself."""
    return ACTION_OUTCOME_LABELS.get((action, resultat)) or ACTION_LABELS.get(action) or action


def result_label(resultat: str) -> str:
    """« Réussi », « Échec » or « Refusé » (an unknown value shows itself)."""
    return RESULT_LABELS.get(resultat, resultat)


def group_of(action: str) -> str | None:
    """The filter group an action belongs to, or None."""
    fam = family(action)
    return next((key for key, (_, families) in GROUPS.items() if fam in families), None)


def group_families(group: str) -> tuple[str, ...]:
    """The action families of a filter group (empty for an unknown group)."""
    return GROUPS.get(group, ("", ()))[1]


def group_choices() -> list[tuple[str, str]]:
    """(key, words) of every group, in the list's order."""
    return [(key, label) for key, (label, _) in GROUPS.items()]


def safe_detail(details: str | None) -> str | None:
    """The detail in words when it is one of the known harmless ones; None otherwise."""
    return SAFE_DETAILS.get(details) if details else None


def object_label(objet_type: str | None, objet_id: str | None) -> str | None:
    """« FSE n° 42 » for the objects worth naming; None for the others."""
    if objet_type == "route" and objet_id:
        area = AREAS.get(family(objet_id))
        return f"page « {area} »" if area else None
    template = OBJECT_LABELS.get(objet_type or "")
    return template.format(objet_id) if template and objet_id else None


def actor_without_account(action: str) -> str:
    """Who acted when no account did: the caisse pays ordipostes; otherwise unknown."""
    return "la caisse" if family(action) == "ordiposte" else "—"
