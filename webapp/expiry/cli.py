"""``flask --app wsgi skiff …``: the portal's commands for operators.

``skiff expire [--dry-run]``, for a systemd timer or cron, stops or deletes the
servers whose lease is over, in every project (:mod:`webapp.expiry.sweep`): on a
real cloud with the operator credential of the ``clouds.yaml`` entry
``EXPIRE_CLOUD``, on the demo cloud in its store. One line per expired server
goes to stderr; the exit status is 1 when the cloud refused or failed an action,
could not be reached, or could not list a region's servers (the other regions
are swept all the same).
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC
from datetime import datetime

import click
from flask.cli import AppGroup

from webapp.cloud import get_operator
from webapp.cloud.errors import CloudError
from webapp.expiry.sweep import LOG
from webapp.expiry.sweep import sweep

__all__ = ["skiff"]

skiff = AppGroup("skiff", help="Skiff's commands for operators.")


@skiff.command("expire")
@click.option("--dry-run", is_flag=True, help="Change nothing; say what would be done.")
def expire(dry_run: bool) -> None:
    """Stop or delete every project's expired servers, as their metadata says
    (skiff:expires_at, skiff:expiry_action); one log line per server."""
    handler = logging.StreamHandler(sys.stderr)  # the stream of this run (a test's too)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s skiff expire: %(message)s"))
    level, propagate = LOG.level, LOG.propagate
    LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False  # one line each, whatever else the host logs
    try:
        cloud = get_operator()
        try:
            outcomes = sweep(cloud, now=datetime.now(UTC), dry_run=dry_run)
        except CloudError as error:
            raise click.ClickException(f"{cloud.label}: {error}") from error
    except CloudError as error:  # the credential itself
        raise click.ClickException(str(error)) from error
    finally:
        LOG.removeHandler(handler)
        LOG.setLevel(level)
        LOG.propagate = propagate
    if any(outcome.failed for outcome in outcomes):
        sys.exit(1)
