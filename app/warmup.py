"""Warming up a gunicorn master before it forks its workers (app/gunicorn_conf.py, `when_ready`).

A worker forked from a cold master compiles every template, configures the ORM's mappers, reads the
tariff option lists and builds the CCAM index on its first requests: about 100 ms spread over its
first taps, paid again each time gunicorn replaces a worker (`max_requests`). Done once in the
master, the workers inherit all of it (copy-on-write memory):

- every template compiled (Jinja keeps the compiled code in its environment);
- the mappers configured;
- the reference data of the day cached under the database's current token (app/referentiel/cache.py):
  the CCAM index, the Convention rules, and the option lists of every profession that has a
  praticien. Keyed by the token, nothing stale can be served: a referentiel changed since is read
  again at the worker's next request, as it would be anyway;
- then `gc.freeze()`: the objects that live as long as the process (code, templates, caches) move
  out of the garbage collector's sight, so that its collections in the workers scan only what
  requests create, and do not touch (and copy) the shared pages.

Nothing is written. The master's database connections are closed afterwards: the workers open their
own. A database not yet migrated (or unreachable) skips the data part; the workers then read it on
demand, as without warm-up.
"""

from __future__ import annotations

import gc
import logging
import time

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

log = logging.getLogger(__name__)

OPTION_KINDS = ("NGAP", "MAJ", "MOD")


def warm(app: Flask) -> dict[str, int]:
    """Compile the templates and cache the day's reference data in this process; what was done."""
    started = time.perf_counter()
    done = {"templates": 0, "option_lists": 0, "ccam_acts": 0}
    configure_mappers()
    environment = app.jinja_env
    names = environment.list_templates(filter_func=lambda name: name.endswith((".html", ".txt", ".csv")))
    if environment.cache is not None and getattr(environment.cache, "capacity", len(names)) < len(names):
        log.warning("Jinja's template cache holds fewer templates than the portal has (%d)", len(names))
    for name in names:
        environment.get_template(name)
        done["templates"] += 1
    with app.app_context():
        from app.extensions import db

        try:
            done.update(_reference_data())
        except SQLAlchemyError as error:  # not migrated yet, or the database is down: read on demand
            log.warning("warm-up: reference data not cached (%s)", error.__class__.__name__)
        finally:
            db.session.remove()
            db.engine.dispose()
    gc.collect()
    gc.freeze()
    log.info("warm-up in %.0f ms: %s", (time.perf_counter() - started) * 1000, done)
    return done


def _reference_data() -> dict[str, int]:
    from app.domain.calendar import today_in_monaco
    from app.extensions import db
    from app.fse import catalogue
    from app.models import Praticien
    from app.referentiel.cache import NO_TOKEN, current_token
    from app.referentiel.services import convention_rules

    if current_token() == NO_TOKEN:  # before the first import: nothing is cached anyway
        return {}
    today = today_in_monaco()
    convention_rules(today)
    lists = 0
    for profession in db.session.scalars(select(Praticien.profession).distinct()):
        for kind in OPTION_KINDS:
            catalogue.options(kind, profession, today)
            lists += 1
    return {"option_lists": lists, "ccam_acts": len(catalogue.ccam_index().rows)}
