"""The CCAM autocomplete's index answers exactly as reading every label would (issue 11: the
autocomplete answers in milliseconds; it must not answer differently)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.text import fold
from app.fse import catalogue


def linear(rows, query: str) -> list[tuple[str, str]]:
    """The autocomplete as it was before the index: every label read."""
    folded = fold(query.strip())
    code_query = folded.upper().replace(" ", "")
    words = folded.split()
    by_code, by_label = [], []
    for code, label, folded_label in rows:
        if code.startswith(code_query):
            by_code.append((code, label))
            if len(by_code) >= catalogue.MAX_SUGGESTIONS:
                break
        elif words and all(word in folded_label for word in words):
            by_label.append((not folded_label.startswith(folded), folded_label.find(words[0]), code, label))
    by_label.sort()
    return (by_code + [(code, label) for _, _, code, label in by_label])[:catalogue.MAX_SUGGESTIONS]


@pytest.fixture
def index(app_ctx):
    with app_ctx.test_request_context():
        yield catalogue.ccam_index()


QUERIES = ["HBJ", "HBJD001", "ra", "radio", "radio thorax", "radiographie thorax", "thorax radio",
           "couronne dentaire ceramique", "détartrage", "DETARTRAGE", "  scanner   abdomen ", "zzzz", "a",
           "d", "de la", "l'abdomen", "ZBQK", "ZBQK002", "echographie", "échographie doppler", "1", "00"]


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_answers_as_every_label_read(index, query):
    assert catalogue._search(index, fold(query.strip())) == linear(index.rows, query)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.text(alphabet="abcdeilmnoprstuxyzéèç ABHJKQZ0123'-", min_size=1, max_size=14))
def test_any_query_answers_as_every_label_read(app_ctx, query):
    with app_ctx.test_request_context():
        index = catalogue.ccam_index()
        assert catalogue._search(index, fold(query.strip())) == linear(index.rows, query)


def test_the_route_gives_the_index_answer_and_keeps_it_until_the_referentiel_changes(app_ctx, auth):
    from app.referentiel.cache import bump
    from app.extensions import db

    auth.login("medecin.demo")
    page = auth.client.get("/fse/ccam/recherche?q=radio thorax", headers={"HX-Request": "true"})
    assert "ZBQK002" in page.get_data(as_text=True)
    with app_ctx.test_request_context():
        first = catalogue.search_ccam("radio thorax")
        assert catalogue.search_ccam("radio thorax") == first
        token = catalogue.current_token()
        bump(db.session)
        db.session.commit()
    with app_ctx.test_request_context():
        assert catalogue.current_token() != token
        assert catalogue.search_ccam("radio thorax") == first
