"""The page frame: French pages, the sample-data banner, error pages that reveal nothing, headers."""

import re

import pytest
from sqlalchemy import text

from tests.conftest import make_app

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def check_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_front_page_is_french_with_the_reference_summary(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "La Feuille de Soins Électronique" in html
    assert "8 160" in html  # CCAM acts loaded
    assert "fichier d'exemple (non officiel)" in html
    check_security_headers(response)


def test_sample_banner_is_shown_while_the_sample_tariffs_are_loaded(client):
    html = client.get("/").get_data(as_text=True)
    assert "Données d'exemple" in html and 'class="sample-banner"' in html


def test_htmx_is_vendored_pinned_and_configured_for_the_csp(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'src="/static/vendor/htmx-2\.0\.\d+\.min\.[0-9a-f]{12}\.js"', html)  # fingerprinted
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1)
    assert '"includeIndicatorStyles": false' in config
    assert '"allowEval": false' in config and '"historyCacheSize": 0' in config
    assert '"code": "422", "swap": true' in config
    script = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert script.status_code == 200 and b'version:"2.0.11"' in script.data
    check_security_headers(script)
    assert "<script>" not in html and " style=" not in html  # nothing inline, the CSP forbids it


def test_not_found_page_is_french_and_reveals_nothing(client):
    response = client.get("/pas/une/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page introuvable" in html and '<html lang="fr">' in html
    assert "werkzeug" not in html.lower() and "Traceback" not in html
    check_security_headers(response)


def test_method_not_allowed_is_french(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "Action non permise" in response.get_data(as_text=True)
    assert "GET" in response.headers["Allow"]


def test_a_forms_address_opened_by_get_leads_to_its_page(client, auth):
    """A refused form drawn without JavaScript stays at its address; reloaded from the address bar or
    opened in a new tab, the address brings the person back to the form's page, not to an error."""
    auth.login("medecin.demo")
    for address, page in (("/fse/ngap", "/fse"), ("/fse/facturation", "/fse"), ("/historique/export", "/historique")):
        response = client.get(address)
        assert (response.status_code, response.headers.get("Location")) == (303, page), address
    assert client.get("/fse/ngap", headers={"HX-Request": "true"}).status_code == 405  # htmx: the error
    assert client.get("/deconnexion").status_code == 405  # no page behind it: the French error page
    assert client.delete("/fse/ngap").status_code == 405


@pytest.fixture
def failing_app():
    application = make_app(PROPAGATE_EXCEPTIONS=False, TESTING=False)

    @application.get("/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM compte -- détail interne")

    @application.get("/boom-sql")
    def boom_sql():
        from app.extensions import db

        db.session.execute(text("SELECT * FROM table_qui_n_existe_pas"))

    return application


@pytest.mark.parametrize("path", ["/boom", "/boom-sql"])
def test_server_error_is_french_and_reveals_nothing(failing_app, path):
    response = failing_app.test_client().get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Erreur du portail" in html
    for leak in ("SELECT", "secret", "Traceback", "RuntimeError", "table_qui_n_existe_pas", "sqlalchemy"):
        assert leak not in html
    check_security_headers(response)


def test_health_check(client):
    response = client.get("/sante")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_production_refuses_development_keys():
    with pytest.raises(RuntimeError, match="FSE_SECRET_KEY"):
        make_app(FSE_ENV="production")
    with pytest.raises(RuntimeError, match="FSE_ENCRYPTION_KEY"):
        make_app(FSE_ENV="production", SECRET_KEY="a-real-secret-key-for-this-test-of-production")
    with pytest.raises(RuntimeError, match="clé Fernet valide"):
        make_app(FSE_ENCRYPTION_KEYS="pas-une-cle")
    from tests.production.settings import PRODUCTION_SETTINGS  # every refusal: tests/production/

    make_app(**PRODUCTION_SETTINGS)
