"""« Demande d'abonnement » against abuse: CSRF on (an expired token brings the form back with the
input), and the throttle per client address — 5 requests, then an hour after the last one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import JournalAudit, TentativeConnexion
from app.models.types import utcnow
from tests.abonnement.common import EXPIRED, HX, THROTTLED, Requester, body, count, input_value, valid_values

# --- CSRF ---------------------------------------------------------------------------------------

def test_a_post_without_csrf_token_is_refused(client, app_ctx):
    assert client.post("/abonnement", data=valid_values()).status_code == 400
    assert count() == 0


def test_an_expired_token_brings_the_form_back_with_the_input(app, requester, app_ctx):
    requester.open()
    other = Requester(app.test_client())
    other.open()
    response = other.client.post("/abonnement", data={"csrf_token": requester.csrf, "jeton": requester.jeton,
                                                      **valid_values()})
    html = body(response)
    assert response.status_code == 400 and EXPIRED in html
    assert input_value(html, "email") == "anne.rossi@exemple.mc" and input_value(html, "rpps") == "10003456786"
    assert count() == 0


# --- Throttle per client address --------------------------------------------------------------

def test_the_sixth_request_of_an_address_within_the_hour_waits(app, requester, app_ctx):
    for _ in range(5):
        assert requester.send().status_code == 303
    refused = requester.send(nom="Sixième")
    html = body(refused)
    assert refused.status_code == 429
    assert THROTTLED in html and "réessayez dans 60 minutes" in html
    assert input_value(html, "nom") == "Sixième"  # the input kept, to send later
    assert count() == 5
    audit = db.session.scalars(select(JournalAudit).where(JournalAudit.resultat == "refus")).all()
    assert [(a.action, a.details) for a in audit] == [("abonnement.demande", "trop de tentatives")]
    # htmx swaps 2xx and 422 only: the same message comes as a 422.
    hx = requester.send(headers=HX)
    assert hx.status_code == 422 and THROTTLED in body(hx)
    # Another address is not concerned.
    assert Requester(app.test_client(), "192.0.2.7").send().status_code == 303
    # An hour after the last request, the address may send again.
    db.session.execute(update(TentativeConnexion).where(TentativeConnexion.identifiant == "abonnement:127.0.0.1")
                       .values(dernier_echec=utcnow() - timedelta(hours=1, seconds=1)))
    db.session.commit()
    assert requester.send().status_code == 303
    assert count() == 7


def test_refused_forms_do_not_count_against_the_address(requester, app_ctx):
    for _ in range(8):
        assert requester.send(rpps="10003456787").status_code == 422
    for _ in range(5):
        assert requester.send().status_code == 303


def test_a_double_post_is_not_counted_twice(requester, app_ctx):
    for _ in range(4):
        assert requester.send().status_code == 303
    assert requester.send(fresh=False).status_code == 303  # the fourth form again: its request
    assert requester.send().status_code == 303  # the fifth request
    assert count() == 5
