"""Fixtures of the page-weight and static-file tests: the FSE page filled as a praticien fills it."""

import pytest

from tests.fse.test_fse import Desk


@pytest.fixture
def desk(auth):
    """medecin.demo at the FSE page: Hugo Bellando identified, C + MD, an ECG and a chest X-ray."""
    auth.login("medecin.demo")
    desk = Desk(auth)
    assert desk.identify("100001", "K7P2").status_code == 302
    assert desk.choose(3).status_code == 302
    assert desk.ngap("C", majorations=["MD"]).status_code == 302
    for code in ("DEQP003", "ZBQK002"):
        assert desk.ccam(code).status_code == 302
    return desk
