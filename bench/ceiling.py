"""The ceiling of `make bench`: a bare Flask app with one route returning a short text, served by the
same gunicorn command and configuration as the portal, on another port, in the same run. What the
portal's interactions reach is compared with it (the ratio), so that figures from machines of
different speeds can be read together.

    gunicorn -c python:app.gunicorn_conf --bind 127.0.0.1:PORT bench.ceiling:app
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "ok"
