"""What the bench scripts share: a throwaway app on its own SQLite file, and a median timer."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402


def bench_app(prefix: str):
    """The portal with the test configuration (CSRF off) on a new SQLite file, schema migrated."""
    folder = tempfile.mkdtemp(prefix=prefix)
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.sqlite3", WTF_CSRF_ENABLED=False)
    app = create_app(settings)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


def median_ms(func, repeat: int = 5) -> float:
    """The median duration of `repeat` calls, in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)
