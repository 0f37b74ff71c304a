"""Fixtures of the FSE tests (the demo accounts fixture also loads the five documented cards)."""

import pytest

from tests.fse.test_fse import Desk


@pytest.fixture
def medecin(auth):
    auth.login("medecin.demo")
    return auth


@pytest.fixture
def desk(auth):
    auth.login("medecin.demo")
    return Desk(auth)


@pytest.fixture
def dentist(auth):
    auth.login("dentiste.demo")
    return Desk(auth)
