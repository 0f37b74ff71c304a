"""app/web/context.py's kept_urls: the templates' url_for gives Flask's address for every endpoint, builds
an endpoint without arguments once per application root, and leaves the others to Flask."""

import os
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


def test_an_address_is_built_once_per_root_and_values(app):
    built = []

    def builder(endpoint, **values):
        built.append((endpoint, values))
        return flask.url_for(endpoint, **values)

    kept = kept_urls(SimpleNamespace(url_for=builder, extensions=app.extensions))
    with app.test_request_context("/"):
        assert [kept("fse.identify") for _ in range(3)] == ["/fse/patient"] * 3
        assert kept("fse.remove_line", line_id=7) == kept("fse.remove_line", line_id=7) == "/fse/lignes/7/supprimer"
        assert kept("fse.remove_line", line_id=8) == "/fse/lignes/8/supprimer"
        assert kept("history.page", page=2, statut="rejetee") == kept("history.page", statut="rejetee", page=2)
    with app.test_request_context("/", base_url="http://localhost/portail"):
        assert kept("fse.identify") == "/portail/fse/patient"
    assert built == [("fse.identify", {}), ("fse.remove_line", {"line_id": 7}), ("fse.remove_line", {"line_id": 8}),
                     ("history.page", {"page": 2, "statut": "rejetee"}), ("fse.identify", {})]


def test_a_static_address_follows_its_file(app, tmp_path, monkeypatch):
    from app.web.static import StaticFiles

    (tmp_path / "css").mkdir()
    css = tmp_path / "css" / "app.css"
    css.write_text("body { color: black; }\n")
    files = StaticFiles(tmp_path)
    monkeypatch.setitem(app.extensions, "fse_static", files)
    built = []

    def builder(endpoint, **values):
        built.append(values["filename"])
        return "/static/" + files.fingerprinted(values["filename"])

    kept = kept_urls(SimpleNamespace(url_for=builder, extensions=app.extensions))
    with app.test_request_context("/"):
        first = kept("static", filename="css/app.css")
        assert kept("static", filename="css/app.css") == first and len(built) == 1
        css.write_text("body { color: navy; }\n")
        os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 1_000_000_000))
        second = kept("static", filename="css/app.css")
    assert second != first and second == "/static/" + files.fingerprinted("css/app.css") and len(built) == 2


def test_the_dict_is_bounded(app, monkeypatch):
    from app.web import context

    monkeypatch.setattr(context, "KEPT_URLS", 10)
    built = []
    kept = kept_urls(SimpleNamespace(url_for=lambda endpoint, **values: built.append(values["line_id"])
                                     or flask.url_for(endpoint, **values), extensions=app.extensions))
    with app.test_request_context("/"):
        for line in range(25):
            assert kept("fse.remove_line", line_id=line) == f"/fse/lignes/{line}/supprimer"
        kept("fse.remove_line", line_id=24)  # kept since the dict started again at 20
        kept("fse.remove_line", line_id=0)  # long gone: built again
    assert built == [*range(25), 0]


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
