"""The subscription request's fixtures: a browser of the public page."""

import pytest

from tests.abonnement.common import Requester


@pytest.fixture
def requester(app, client):
    return Requester(client)
