"""Fixtures of the FSE tests (the demo accounts fixture also loads the five documented cards)."""

import pytest


@pytest.fixture
def medecin(auth):
    auth.login("medecin.demo")
    return auth
