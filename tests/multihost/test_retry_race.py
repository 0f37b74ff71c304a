"""A retry of « Transmettre » racing its first attempt — the first answer lost, the tablet's retry sent
to the other host while the first host is still finishing (found by `make soak` on PostgreSQL).

The retry read the token's FSE as a draft; the first attempt committed the transmission; the retry
then found no draft of the person's, started a new one, and answered « Cette FSE a changé entre-temps :
validez à nouveau » — about an FSE already transmitted, which the user would then make again."""

from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from tests.conftest import csrf_from
from tests.fse.test_fse import Desk


def test_a_retry_that_loses_the_race_to_its_first_attempt_gets_the_first_result(auth, app, monkeypatch):
    from app.extensions import db
    from app.fse import services
    from app.models import Fse

    auth.login("medecin.demo")
    desk = Desk(auth)
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")
    summary = desk.post("/fse/valider", {}).get_data(as_text=True)
    jeton = re.search(r'name="jeton" type="hidden" value="([^"]+)"', summary).group(1)
    csrf = csrf_from(summary)

    first_attempt = app.test_client()  # the same tablet's cookie, on the other host
    for cookie in auth.client._cookies.values():
        first_attempt.set_cookie(cookie.key, cookie.value)
    answers = {}
    real_current_draft = services.current_draft

    def the_first_attempt_commits_meanwhile(principal, *args, **kwargs):
        if "first" not in answers:
            answers["first"] = None
            worker = threading.Thread(target=lambda: answers.update(first=first_attempt.post(
                "/fse/transmettre", data={"jeton": jeton, "csrf_token": csrf})))
            worker.start()
            worker.join(30)
        return real_current_draft(principal, *args, **kwargs)

    monkeypatch.setattr(services, "current_draft", the_first_attempt_commits_meanwhile)
    retry = auth.client.post("/fse/transmettre", data={"jeton": jeton, "csrf_token": csrf})

    first = answers["first"]
    assert first.status_code == 302 and first.headers["Location"].endswith("/accuse")
    assert retry.status_code == 302 and retry.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Fse).where(Fse.statut == "transmise")) == 1
