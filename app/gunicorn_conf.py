"""gunicorn settings for the portal: `gunicorn -c python:app.gunicorn_conf wsgi:app` (README, « Production »).

Tablets on a practice's Wi-Fi are slow, bursty clients: a request body or an answer can take seconds to
cross. With gunicorn's sync workers such a client holds a whole worker process; here each worker runs
threads (gthread), so a slow client holds one thread and the worker's other threads keep serving, and
an idle keep-alive connection waits in the worker's poller without holding a thread at all. In
production a buffering reverse proxy (nginx) stands in front as well, for TLS and so that slow
uploads and downloads are absorbed by it (README, « Production »).

Every value comes from the environment, with defaults for a small host of 2 cores.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# --- Workers -------------------------------------------------------------------------------------
worker_class = "gthread"
# 2 processes × 4 threads on 2 cores: Python's lock lets one thread compute at a time per process,
# the others wait on the database, the network or the client.
workers = _int("FSE_WORKERS", 2)
threads = _int("FSE_THREADS", 4)

# --- Where it listens ----------------------------------------------------------------------------
# Loopback by default: the reverse proxy on the same host talks to it; set FSE_BIND=0.0.0.0:8000 in
# a container whose proxy is elsewhere.
bind = [os.environ.get("FSE_BIND") or f"127.0.0.1:{_int('PORT', 5000)}"]

# --- Timeouts ------------------------------------------------------------------------------------
# A worker silent this long is killed and replaced. With gthread a slow client does not make the
# worker silent, so this only catches a stuck worker; the longest legitimate request (a year's CSV
# export, streamed) stays far below.
timeout = _int("FSE_TIMEOUT", 60)
# On a restart or a deploy, requests under way (a transmission) get this long to finish.
graceful_timeout = _int("FSE_GRACEFUL_TIMEOUT", 30)
# A tablet taps again within seconds: keeping its connection open saves a TCP (and, without a proxy,
# TLS) handshake per tap; an idle connection waits in the poller, not in a thread. Behind nginx this
# is the proxy's upstream connection; the tablet's own keep-alive is nginx's `keepalive_timeout`.
keepalive = _int("FSE_KEEPALIVE", 20)

# --- Memory hygiene ------------------------------------------------------------------------------
# Each worker is replaced after this many requests (jitter: not all at once), so that a slow leak in
# a library never grows without bound. 0 turns it off. Measured (make bench, SQLite): a worker's
# resident memory stays at 127-128 MB over 30,000 requests, so a replacement is rare: about once
# a day and a half per worker for a network of 100 tablets (1-2 requests a second). Each one
# closes the worker's kept-alive connections (a browser reconnects; wrk counted 10 read errors in
# 2,489 requests at 2,000); the new worker starts warm from the master (when_ready below).
max_requests = _int("FSE_MAX_REQUESTS", 100_000)
max_requests_jitter = _int("FSE_MAX_REQUESTS_JITTER", 10_000)

# --- Loading the application ---------------------------------------------------------------------
# Loaded once in the master before the workers fork: a configuration that the portal refuses
# (FSE_ENV=production with a development key, non-Secure cookies) stops gunicorn at once with its
# message, instead of workers failing to boot in a loop; and the workers share the loaded code's
# memory. The price: a database connection opened in the master must not be shared by the
# workers — post_fork below gives each worker a fresh pool — and a code change needs a restart
# (`systemctl restart`), not a HUP.
preload_app = True

# --- Proxies -------------------------------------------------------------------------------------
# gunicorn trusts X-Forwarded-Proto only from these addresses. Behind a proxy (FSE_PROXY_COUNT ≥ 1)
# the proxy is on the loopback by default; without one nobody is trusted, so a client cannot claim
# https. The application's ProxyFix (FSE_PROXY_COUNT) reads the client's address for the audit trail.
if _int("FSE_PROXY_COUNT", 0) > 0:
    forwarded_allow_ips = os.environ.get("FSE_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
else:
    forwarded_allow_ips = ""

# --- Logs ----------------------------------------------------------------------------------------
# To standard output and error (systemd's journal, or the container's log). The access line has the
# path without its query string and no Referer (it would carry another page's address): no patient
# data ends in a log even if a future page put some in a URL. %(M)s is the duration in milliseconds.
accesslog = os.environ.get("FSE_ACCESS_LOG", "-") or None
errorlog = os.environ.get("FSE_ERROR_LOG", "-")
loglevel = os.environ.get("FSE_LOG_LEVEL", "info")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

# Heartbeat files in memory rather than on a disk that may stall (containers, SD cards).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

proc_name = "portail-fse"

# gunicorn ≥ 25 opens a control socket at one fixed path per user ($HOME/.gunicorn/gunicorn.ctl):
# two portals on one host (two instances over one PostgreSQL, a test beside `make run`) would take
# it from each other. The portal is driven by signals (systemd); FSE_CONTROL_SOCKET=path turns it on.
if os.environ.get("FSE_CONTROL_SOCKET"):
    control_socket = os.environ["FSE_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def when_ready(server) -> None:
    """In the master, after the application is loaded and before any worker is forked: compile the
    templates and cache the day's reference data once, so that every worker, the first ones and
    those that replace them (max_requests), starts warm (app/warmup.py)."""
    application = server.app.wsgi()
    # Another WSGI app under this configuration (make bench's bare ceiling app) is not the portal.
    if "sqlalchemy" in getattr(application, "extensions", {}) and os.environ.get("FSE_WARMUP", "1") != "0":
        from app.warmup import warm

        warm(application)


def post_fork(server, worker) -> None:
    """Give the worker its own connection pool: connections the master opened while preloading
    (a SQLite file handle, a PostgreSQL socket) must never be shared between processes."""
    application = worker.app.wsgi()
    dispose_engine(application)


def dispose_engine(application) -> None:
    """Drop the pool inherited from the master without closing its connections (they are the
    master's; SQLAlchemy's advice for forked processes)."""
    # Another WSGI app under this configuration (make bench's bare ceiling app) has no engine.
    if not hasattr(application, "app_context") or "sqlalchemy" not in getattr(application, "extensions", {}):
        return
    from app.extensions import db

    with application.app_context():
        db.engine.dispose(close=False)
