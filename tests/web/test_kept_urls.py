"""app/web/context.py's kept_urls: the templates' url_for gives Flask's address for every endpoint, builds
an endpoint without arguments once per application root, and leaves the others to Flask."""

from types import SimpleNamespace

import flask
import pytest
from flask import render_template_string

from app.web.context import kept_urls


def endpoints_without_arguments(app):
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if not rule.arguments})


@pytest.mark.parametrize("root", ["", "/portail"])
def test_every_endpoint_gets_flasks_address(app, root):
    names = endpoints_without_arguments(app)
    assert "fse.identify" in names and "auth.login" in names
    with app.test_request_context("/", base_url=f"http://localhost{root}"):
        kept = app.jinja_env.globals["url_for"]
        assert kept.__qualname__ == "kept_urls.<locals>.url_for"
        for name in names:
            expected = flask.url_for(name)
            assert kept(name) == expected and kept(name) == expected, name
            assert expected.startswith(root + "/")


def test_an_address_is_built_once_per_root(app):
    built = []

    def builder(endpoint, **values):
        built.append((endpoint, values))
        return flask.url_for(endpoint, **values)

    kept = kept_urls(SimpleNamespace(url_for=builder))
    with app.test_request_context("/"):
        assert [kept("fse.identify") for _ in range(3)] == ["/fse/patient"] * 3
        assert kept("fse.remove_line", line_id=7) == kept("fse.remove_line", line_id=7)
    with app.test_request_context("/", base_url="http://localhost/portail"):
        assert kept("fse.identify") == "/portail/fse/patient"
    assert built == [("fse.identify", {}), ("fse.remove_line", {"line_id": 7}), ("fse.remove_line", {"line_id": 7}),
                     ("fse.identify", {})]


def test_what_is_left_to_flask(app):
    with app.test_request_context("/", base_url="http://localhost/portail"):
        render = render_template_string
        # With values, static (fingerprinted), external: Flask's own answer each time.
        assert render("{{ url_for('fse.remove_line', line_id=7) }}") == flask.url_for("fse.remove_line", line_id=7)
        assert render("{{ url_for('static', filename='css/app.css') }}") == flask.url_for("static", filename="css/app.css")
        assert render("{{ url_for('auth.login', _external=True) }}").startswith("http://localhost/portail/")
    with app.app_context():  # outside a request (a PDF, a CLI): Flask's, with SERVER_NAME or an error as before
        kept = app.jinja_env.globals["url_for"]
        try:
            expected = flask.url_for("auth.login")
        except RuntimeError:
            with pytest.raises(RuntimeError):
                kept("auth.login")
        else:
            assert kept("auth.login") == expected
