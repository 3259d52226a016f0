"""gunicorn's settings for Skiff, read by gunicorn from the folder it starts in.

``make run`` passes the rest (bind address, workers, threads) on its command line.
"""

import glob
import os
import shutil
import tempfile

import gunicorn.http.wsgi

# gunicorn names itself in a "Server: gunicorn" header on every answer; the portal
# tells nobody what serves it (there is no setting for this header).
gunicorn.http.wsgi.SERVER = "skiff"

# The app is imported once, in the master, before the workers fork: they share its
# code, templates and catalogs instead of each loading its own copy (benchmarks/
# memory.py: about 52 MB per worker after 100 launches, 64 without). Nothing the
# app opens at start outlives a fork (SQLite and Redis connections are made per
# process, metrics files per pid). The price: a reload (HUP) does not read new
# code, so an upgrade restarts the service. SKIFF_GUNICORN_PRELOAD=0 turns it off.
preload_app = os.environ.get("SKIFF_GUNICORN_PRELOAD", "1") != "0"


# -- metrics (webapp/ops/metrics.py) -------------------------------------------------
# prometheus_client's multi-process mode: each worker keeps its values in files of
# PROMETHEUS_MULTIPROC_DIR, and /metrics adds up every worker's. The variable must be
# set before any worker imports prometheus_client, so here, in the master. Unset, a
# fresh directory is made for this start (and removed when gunicorn exits); set, it
# is used as it is, emptied of a previous start's files first.
_METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Marks a directory made here; re-read at a reload (HUP), this file must not make another.
_MADE_HERE = "_SKIFF_MADE_METRICS_DIR"
if not os.environ.get(_METRICS_DIR):
    os.environ[_METRICS_DIR] = os.environ[_MADE_HERE] = tempfile.mkdtemp(prefix="skiff-metrics-")


def on_starting(server):
    """Forget the values of a previous start kept in a directory the operator gave."""
    if os.environ.get(_MADE_HERE) != os.environ[_METRICS_DIR]:
        for stale in glob.glob(os.path.join(os.environ[_METRICS_DIR], "*.db")):
            os.remove(stale)


def child_exit(server, worker):
    """A worker is gone: its live gauges go with it (prometheus_client's rule)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the directory made for this start."""
    made = os.environ.get(_MADE_HERE)
    if made and made == os.environ.get(_METRICS_DIR):
        shutil.rmtree(made, ignore_errors=True)
