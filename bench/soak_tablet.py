"""The tablets of `make soak` (bench/soak.py), a locustfile: run by locust headless, never imported by
the portal.

Each simulated tablet signs in with an account of its own, then makes FSE one after the other as a
practice does: the CCAM autocomplete, identify a card, choose a beneficiary, add an NGAP and a CCAM
act, set the billing, « Valider », « Transmettre », read the accusé de réception — now and then the
history with a filter and its CSV export. What it was told is written to the run's journal
(append-only, one JSON line per event): `sending` before the first « Transmettre » of a token,
`confirmed` with the accusé's number and amounts as the page showed them, `error` for every failed
request.

A failed request (connection refused or reset, a 5xx, a timeout) is retried as a tablet's user would:
the same form again, after a short wait, for up to RETRY_WINDOW seconds; a load balancer sends the
retry to the other host. « Transmettre » is retried with the same one-time token, so a retry whose
first attempt went through gets the first FSE's accusé, never a second FSE.

Configuration from the environment (set by bench/soak.py): SOAK_RUN_DIR (accounts.json, cards.json,
the journal and the saved sessions go there), SOAK_HOSTS (the two base URLs, comma-separated).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import pyotp
from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak_pages import ACCUSE_PATH, CSRF, read_accuse  # noqa: E402

RUN = Path(os.environ["SOAK_RUN_DIR"])
HOSTS = os.environ["SOAK_HOSTS"].split(",")
ACCOUNTS = json.loads((RUN / "accounts.json").read_text())
CARDS = json.loads((RUN / "cards.json").read_text())
JOURNAL = RUN / "journal.jsonl"
SESSIONS = RUN / "sessions"
RETRY_WINDOW = float(os.environ.get("SOAK_RETRY_WINDOW", "60"))
# The share of « Transmettre » whose answer is lost on the way back (the tablet leaves the Wi-Fi):
# the tablet learns nothing, and sends the same form again at its next FSE, as a reload would.
LOST_ANSWERS = float(os.environ.get("SOAK_LOST_ANSWERS", "0.05"))
REQUEST_TIMEOUT = 20

MEMBER = re.compile(r'<button type="submit" name="beneficiaire_id" value="(\d+)"([^>]*)>')
VERSION = re.compile(r'name="version" (?:type="hidden" )?value="(\d+)"')
JETON = re.compile(r'name="jeton" type="hidden" value="([^"]+)"')
SEARCHES = [("radio thorax", "ZBQK002"), ("electrocardiographie", "DEQP003"), ("ZBQK", "ZBQK002"),
            ("prelevement cervicovaginal", "JKHD001")]
_accounts = itertools.count()


def journal(event: str, **fields) -> None:
    """One line, written whole (one write of one line; locust's users are greenlets of one process)."""
    with JOURNAL.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"event": event, "t": round(time.time(), 3), **fields}, ensure_ascii=False) + "\n")


@events.quitting.add_listener
def _final_figures(environment, **kwargs) -> None:
    """Each request's figures once every tablet has stopped (locust's CSV is written earlier)."""
    figures = {}
    for entry in sorted(environment.stats.entries.values(), key=lambda e: e.name):
        figures[entry.name] = {"requests": entry.num_requests, "failures": entry.num_failures,
                               "p50_ms": entry.get_response_time_percentile(0.5),
                               "p95_ms": entry.get_response_time_percentile(0.95)}
    (RUN / "requests.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))


class Failed(RuntimeError):
    """A request that still failed at the end of the retry window, or an answer the flow cannot use."""


class SessionLost(Failed):
    """The portal sent the tablet back to « Connexion » in the middle of its work."""


class Tablet(HttpUser):
    """One tablet of the practice, signed in as one account, on one host (the other on failover)."""

    wait_time = between(0.1, 0.5)
    host = HOSTS[0]

    def on_start(self) -> None:
        index = next(_accounts)
        if index >= len(ACCOUNTS):
            raise RuntimeError("plus de tablettes que de comptes préparés")
        self.account = ACCOUNTS[index]
        self.home = index % len(HOSTS)  # half the tablets on each host
        self.base = HOSTS[self.home]
        self.csrf = None
        self.made = 0
        self.pending = None  # the form of a transmission whose answer was lost
        self.sign_in()

    # --- requests, retried as a tablet's user retries --------------------------------------------

    def send(self, name: str, method: str, path: str, data=None, htmx: bool = False, expect=(200,),
             params=None):
        """The request, retried on a connection error, a 5xx or a timeout, the same form each time; any
        other unexpected status fails the flow. Returns the answer."""
        deadline = time.monotonic() + RETRY_WINDOW
        attempt = 0
        while True:
            attempt += 1
            headers = {"X-CSRFToken": self.csrf} if self.csrf and method == "POST" else {}
            if htmx:
                headers["HX-Request"] = "true"
            with self.client.request(method, self.base + path, data=data, params=params, headers=headers,
                                     allow_redirects=False, name=name, catch_response=True,
                                     timeout=REQUEST_TIMEOUT) as response:
                status = response.status_code or 0
                moved_to = response.headers.get("HX-Redirect") or response.headers.get("Location") or ""
                if moved_to.startswith("/connexion") and not name.startswith("connexion"):
                    response.failure("renvoyé à la connexion")
                    journal("session_lost", user=self.account["identifiant"], name=name, host=self.base)
                    raise SessionLost(f"{name} : session perdue")
                if status in expect:
                    response.success()
                    if attempt > 1:
                        journal("recovered", user=self.account["identifiant"], name=name, attempts=attempt)
                    return response
                retry = status == 0 or status >= 500
                reason = (type(response.error).__name__ if response.error is not None and status == 0
                          else f"HTTP {status}")
                response.failure(reason)
            journal("error", user=self.account["identifiant"], name=name, status=status, reason=reason,
                    host=self.base, attempt=attempt)
            if not retry:
                raise Failed(f"{name} : {reason}")
            if time.monotonic() > deadline:
                raise Failed(f"{name} : toujours en échec après {RETRY_WINDOW:.0f} s ({reason})")
            # A load balancer sends the next attempt to the other host; the tablet waits a moment.
            self.base = HOSTS[(HOSTS.index(self.base) + 1) % len(HOSTS)]
            time.sleep(min(0.5 * attempt, 3))

    def sign_in(self) -> None:
        """Password, then the code of the current 30 s step (a code already spent — its first
        answer lost — waits for the next step)."""
        account = self.account
        while True:
            self.client.cookies.clear()
            self.csrf = None
            page = self.send("connexion (page)", "GET", "/connexion")
            self.csrf = CSRF.search(page.text).group(1)
            answer = self.send("connexion (mot de passe)", "POST", "/connexion", expect=(302,),
                               data={"identifiant": account["identifiant"], "mot_de_passe": account["password"],
                                     "csrf_token": self.csrf})
            if not answer.headers["Location"].endswith("/connexion/code"):
                raise Failed(f"{account['identifiant']} : mot de passe refusé")
            for _ in range(3):
                page = self.send("connexion (page du code)", "GET", "/connexion/code", expect=(200, 302))
                if page.status_code == 302:
                    break  # the pending sign-in ended: start again
                self.csrf = CSRF.search(page.text).group(1)
                code = pyotp.TOTP(account["secret"]).now()
                done = self.send("connexion (code)", "POST", "/connexion/code", expect=(302, 422),
                                 data={"code": code, "csrf_token": self.csrf})
                if done.status_code == 302 and not done.headers["Location"].startswith("/connexion"):
                    page = self.send("page FSE", "GET", "/fse")
                    self.csrf = CSRF.search(page.text).group(1)
                    self.save_session()
                    return
                time.sleep(31 - time.time() % 30)
            else:
                raise Failed(f"{account['identifiant']} : code refusé trois fois")

    def save_session(self) -> None:
        """The tablet's cookies and CSRF token, for bench/soak.py to reload its pending transmissions
        after the run, as the tablet would."""
        SESSIONS.mkdir(exist_ok=True)
        (SESSIONS / f"{self.account['identifiant']}.json").write_text(json.dumps(
            {"cookies": self.client.cookies.get_dict(), "csrf": self.csrf, "base": HOSTS[self.home]}))

    # --- one FSE ------------------------------------------------------------------------------

    @task
    def make_fse(self) -> None:
        try:
            self.one_fse()
        except SessionLost:
            self.sign_in()  # as the user would: sign in again; the draft is kept on the server
        except Failed as error:
            journal("abandoned", user=self.account["identifiant"], reason=str(error))
            self.pending = None  # left to the reload after the run (bench/soak.py)
        self.base = HOSTS[self.home]  # back on its own host for the next patient

    def one_fse(self) -> None:
        if self.pending is not None:
            self.transmit(self.pending, "transmettre (rechargement)")
        matricule, code_fse, caisse, colour = random.choice(CARDS)
        query, code = random.choice(SEARCHES)
        suggestions = self.send("CCAM autocomplete", "GET", "/fse/ccam/recherche", params={"q": query}, htmx=True)
        if code not in suggestions.text:
            raise Failed(f"« {query} » ne propose pas {code}")
        found = self.send("identifier", "POST", "/fse/patient", htmx=True,
                          data={"matricule": matricule, "code_fse": code_fse, "caisse": caisse})
        members = [member for member, attributes in MEMBER.findall(found.text) if "disabled" not in attributes]
        if not members:
            raise Failed(f"aucun membre à choisir pour la carte {matricule}")
        self.send("bénéficiaire", "POST", "/fse/beneficiaire", htmx=True, data={"beneficiaire_id": random.choice(members)})
        self.send("acte NGAP", "POST", "/fse/ngap", htmx=True,
                  data={"lettre": "C", "coefficient": "1", "diviseur": "1",
                        **({"majorations": ["MD"]} if random.random() < 0.3 else {})})
        self.send("acte CCAM", "POST", "/fse/ccam", htmx=True,
                  data={"code": code, "activite": "1", "phase": "0", "association": "1"})
        billing = {"montant_facture": "", "ponderation": "1,1" if colour != "verte" else ""}
        basket = self.send("facturation", "POST", "/fse/facturation", htmx=True, data=billing, expect=(200, 422))
        if basket.status_code == 422:  # a pondération this card does not take: the plain fee
            basket = self.send("facturation", "POST", "/fse/facturation", htmx=True,
                               data={"montant_facture": "", "ponderation": ""})
        summary = self.send("valider", "POST", "/fse/valider", data={"version": VERSION.search(basket.text).group(1)})
        jeton, version = JETON.search(summary.text), VERSION.search(summary.text)
        if jeton is None or version is None:
            raise Failed("le récapitulatif n'offre pas « Transmettre »")
        form = {"jeton": jeton.group(1), "version": version.group(1)}
        journal("sending", user=self.account["identifiant"], token=form["jeton"], version=form["version"])
        if random.random() < LOST_ANSWERS:
            self.lose_answer(form)
            return
        self.transmit(form, "transmettre")
        self.made += 1
        if self.made % 5 == 0:
            self.send("historique filtré", "POST", "/historique", htmx=True, data={"caisse": "CCSS"})
            self.send("export CSV", "POST", "/historique/export", data={"caisse": ""})

    def transmit(self, form: dict, name: str) -> None:
        """« Transmettre » (again, with the same token, for a reload): the accusé, read and journaled."""
        sent = self.send(name, "POST", "/fse/transmettre", htmx=True, data=form)
        target = sent.headers.get("HX-Redirect", "")
        if not ACCUSE_PATH.match(target):
            raise Failed(f"transmission refusée ({target or sent.status_code})")
        self.read_accuse(form["jeton"], target, reloaded=self.pending is not None)
        self.pending = None

    def lose_answer(self, form: dict) -> None:
        """The request leaves whole; the tablet stops listening before the answer comes back."""
        with self.client.request("POST", self.base + "/fse/transmettre", data=form, allow_redirects=False,
                                 headers={"X-CSRFToken": self.csrf, "HX-Request": "true"}, catch_response=True,
                                 name="transmettre (réponse perdue)", timeout=(5, 0.001)) as response:
            response.success()  # lost on purpose: not an error of the portal
        journal("answer_lost", user=self.account["identifiant"], token=form["jeton"])
        self.pending = form

    def read_accuse(self, token: str, path: str, reloaded: bool = False) -> None:
        page = self.send("accusé de réception", "GET", path)
        shown = read_accuse(page.text)
        if shown is None:
            raise Failed(f"accusé illisible ({path})")
        journal("confirmed", user=self.account["identifiant"], token=token,
                fse_id=int(ACCUSE_PATH.match(path).group(1)), host=self.base, reloaded=reloaded, **shown)
