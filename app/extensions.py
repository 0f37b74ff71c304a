"""Flask extensions, created unbound here and bound to the app in create_app()."""

from functools import cache
from typing import Callable, TypeVar

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

T = TypeVar("T")

# Stable constraint names, so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PortalSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy whose end of request survives a connection the database has already closed."""

    def _teardown_session(self, exc: BaseException | None) -> None:
        try:
            self.session.remove()
        except SQLAlchemyError:
            # The database went away after the view made its answer (PostgreSQL restarted): the
            # rollback that ends the request fails on the dead connection, which the pool has already
            # invalidated. The answer goes out — the view's work is committed or gone with the
            # connection — rather than a bare 500 that a tablet would answer by doing it again.
            self.session.registry.clear()


db = PortalSQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def once(build: Callable[..., T]) -> Callable[..., T]:
    """A statement that requests run again and again, built at its first use and then kept by the
    process (one per set of arguments: a way of loading), its values passed as `bindparam`s at each
    execution. SQLAlchemy builds a statement's loader options and its cache key in Python each time
    one is made: on the FSE page that was a tenth of the request's time. A kept statement is
    immutable and safe to share between threads; it is built at first use, not at import, when
    every mapper is configured."""
    return cache(build)


def commit_keeping_state() -> None:
    """Commit without expiring what the request has loaded: the response is drawn from the objects
    just written (their new values, ids and versions are known after the flush), not read again.
    Only for a request that reads nothing another transaction could have changed meanwhile and
    matters to it (the FSE page: one person's own draft, SECURITY.md 27's version checks it)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
