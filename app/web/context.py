"""Template context shared by every page: navigation, the sample-data banner, French formats."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, g, has_request_context, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.domain.billing import NATURES
from app.domain.calendar import MONACO
from app.domain.money import format_decimal, format_euros
from app.domain.formulaires import etm_label
from app.domain.text import label_case
from app.extensions import db
from app.web.fields import draw_field, field

# The seed's navigation (001, « La Feuille de Soins Electronique »), in its order.
NAVIGATION = [
    ("Élaborer une FSE", "fse.page"),
    ("Historique FSE", "history.page"),
    ("FSE pré-codées", "precoded.page"),
    ("HNP", "hnp.page"),
    ("Formulaires", "formulaires.page"),
    ("Profil", "profile.page"),
]


def navigation_items() -> list[tuple[str, str]]:
    """The navigation entries whose feature is installed in this app and concerns the practice:
    « Formulaires » only where the praticien's profession writes one of them."""
    from flask_login import current_user

    from app.domain.formulaires import kinds_for

    if current_user.is_authenticated and current_user.est_personnel_caisse:
        from app.caisse.routes import SECTIONS

        role = current_user.compte.role
        # The menu's words are short, so that it holds on one line of a 1024 px tablet; the pages
        # and « Espace caisse » say them in full.
        short = {"caisse.demandes": "Demandes"}
        return [(label, endpoint) for label, endpoint in [("Espace caisse", "caisse.page")] + [
            (short.get(endpoint, words), endpoint) for words, endpoint, roles, _ in SECTIONS if role in roles]
            if endpoint in current_app.view_functions]
    items = [(label, endpoint) for label, endpoint in NAVIGATION if endpoint in current_app.view_functions]
    if current_user.is_authenticated and not kinds_for(current_user.praticien.profession):
        items = [(label, endpoint) for label, endpoint in items if endpoint != "formulaires.page"]
    return items


def nav_current(endpoint: str) -> bool:
    """Whether a navigation entry is the current page's: its blueprint for a practice's pages; in the
    back office, whose sections share the « caisse » blueprint, its URL or a page under it."""
    from flask import request, url_for

    if request.blueprint != "caisse" or not endpoint.startswith("caisse."):
        return request.blueprint == endpoint.split(".")[0]
    url = url_for(endpoint)
    return request.path == url or (endpoint != "caisse.page" and request.path.startswith(url + "/"))


def sample_tariffs_loaded() -> bool:
    """True while the tariffs in the database come from the sample file (« Données d'exemple »)."""
    from app.models import ImportReferentiel
    from app.referentiel.cache import cached

    try:
        return cached(("exemple",), lambda: bool(
            db.session.scalar(select(ImportReferentiel.exemple).where(ImportReferentiel.partie == "tarifs"))))
    except SQLAlchemyError:
        db.session.rollback()
        return False


def format_date(value: date | None) -> str:
    """A date as jj/mm/aaaa."""
    return value.strftime("%d/%m/%Y") if value else ""


def format_datetime(value: datetime | None) -> str:
    """An instant as jj/mm/aaaa hh:mm, Monaco time."""
    return value.astimezone(MONACO).strftime("%d/%m/%Y %H:%M") if value else ""


def csrf_input() -> Markup:
    """The CSRF token's hidden field, exactly as a FlaskForm draws its `csrf_token`: drawn once per
    request (the FSE page holds 16 forms, each drawing the same field)."""
    drawn = g.get("csrf_input")
    if drawn is None:
        drawn = g.csrf_input = Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="{}">').format(
            generate_csrf())
    return drawn


KEPT_URLS = 4096  # addresses kept per process before the dict starts again (a line's id, a page number)


def kept_urls(app: Flask):
    """The templates' `url_for`: an address is built once per process, application root and values,
    then read from a dict. Werkzeug builds each one by matching the rule's converters and running the
    `url_defaults` hooks: on the FSE page, 60 addresses a response (forms' actions, the navigation, a
    line's « Retirer », the stylesheet), 8 % of its time.

    - A static file's address (fingerprinted, app/web/static.py) is kept with the version of the file
      it names: the file is looked up as before (one `stat`), and the address built again when it
      changed.
    - Built by Flask every time: blueprint-relative names (`.page`), Flask's own options (`_external`,
      `_anchor`…), values that cannot be a key, and outside a request.
    - At most KEPT_URLS addresses (values such as a line's id keep coming): then the dict starts again.
    The portal's only `url_defaults` hook concerns `static`; a hook for other endpoints would have to
    be part of the key here."""
    build = app.url_for
    urls: dict[tuple, str] = {}
    static: dict[tuple[str, str], tuple[object, str]] = {}

    def url_for(endpoint: str, **values) -> str:
        if endpoint.startswith(".") or not has_request_context() or any(k[0] == "_" for k in values):
            return build(endpoint, **values)
        files = app.extensions.get("fse_static") if endpoint == "static" else None
        if files is not None and len(values) == 1 and "filename" in values:
            key = (values["filename"], request.script_root)
            entry = files.get(values["filename"])
            kept = static.get(key)
            if kept is not None and kept[0] is entry:
                return kept[1]
            url = build(endpoint, **values)
            static[key] = (entry, url)
            return url
        key = (endpoint, request.script_root, *sorted(values.items()))
        try:
            url = urls.get(key)
        except TypeError:  # a value that cannot be a key (a list)
            return build(endpoint, **values)
        if url is None:
            if len(urls) >= KEPT_URLS:
                urls.clear()
            url = urls[key] = build(endpoint, **values)
        return url

    return url_for


def register_context(app: Flask) -> None:
    """Register the context processor and the French format filters."""
    app.jinja_env.filters["euros"] = format_euros
    app.jinja_env.filters["decimal_fr"] = format_decimal
    app.jinja_env.filters["date_fr"] = format_date
    app.jinja_env.filters["datetime_fr"] = format_datetime
    app.jinja_env.filters["label_case"] = label_case
    app.jinja_env.filters["etm_label"] = lambda nature: etm_label(nature.code, nature.libelle) if nature else ""
    app.jinja_env.globals["csrf_input"] = csrf_input
    app.jinja_env.globals["draw_field"] = draw_field
    app.jinja_env.globals["field"] = field
    app.jinja_env.globals["url_for"] = kept_urls(app)

    @app.context_processor
    def _frame_context() -> dict:
        return {
            "navigation_items": navigation_items,
            "nav_current": nav_current,
            "donnees_exemple": sample_tariffs_loaded(),
            "htmx_script": "vendor/htmx-2.0.11.min.js",
            "natures": NATURES,
        }
