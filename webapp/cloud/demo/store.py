"""The demo cloud's state: one SQLite file that every connection and worker shares.

Servers, key pairs, volumes and used ports live in the file, so the state survives a
restart and is shared by every worker process on the host. :class:`DemoStore` owns
the file (its schema, its upgrade from earlier versions, its seed volumes; made again
if it is deleted) and hands out connections and write transactions, turning a file
it cannot open or write into :class:`CloudUnavailable`; the functions below read the
rows that more than one part of the demo cloud needs, and turn rows into models.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator

from webapp.cloud.demo import data
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import NotFound
from webapp.cloud.models import Volume

__all__ = [
    "DemoStore",
    "addresses_in_use",
    "seed_keypair",
    "server_row",
    "usage",
    "used_ports",
    "volume_from_row",
    "volume_usage",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS servers (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, user_id TEXT NOT NULL,
    name TEXT NOT NULL, flavor_id TEXT NOT NULL, image_id TEXT NOT NULL,
    key_name TEXT, availability_zone TEXT, networks TEXT NOT NULL,
    security_groups TEXT NOT NULL, description TEXT, user_data TEXT,
    status TEXT NOT NULL, final_status TEXT NOT NULL, fault TEXT,
    created_at REAL NOT NULL, ready_at REAL NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    task_state TEXT, task_status TEXT, task_ends_at REAL,
    booted_at REAL, halted_at REAL, updated_at REAL
);
CREATE TABLE IF NOT EXISTS keypairs (
    user_id TEXT NOT NULL, name TEXT NOT NULL, public_key TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
);
CREATE TABLE IF NOT EXISTS volumes (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL,
    size_gb INTEGER NOT NULL, status TEXT NOT NULL, bootable INTEGER NOT NULL,
    volume_type TEXT NOT NULL, availability_zone TEXT NOT NULL,
    image_min_disk_gb INTEGER NOT NULL, image_min_ram_mb INTEGER NOT NULL,
    server_id TEXT, delete_on_termination INTEGER NOT NULL DEFAULT 0,
    device TEXT NOT NULL DEFAULT '', image_id TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS used_ports (
    port_id TEXT PRIMARY KEY, server_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seeded (what TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS floating_ips (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, pool_id TEXT NOT NULL,
    address TEXT NOT NULL, server_id TEXT, port_id TEXT, fixed_address TEXT,
    UNIQUE (pool_id, address)
);
"""

#: columns added since the first version (table -> column -> definition), which
#: :func:`_upgrade` adds to an older file
_ADDED_COLUMNS = {
    "servers": {
        "details": "TEXT NOT NULL DEFAULT '{}'",
        # a power action in progress: its task, the status it ends in, and when
        "task_state": "TEXT",
        "task_status": "TEXT",
        "task_ends_at": "REAL",
        # when the OS last started and (while stopping or stopped) was halted
        "booted_at": "REAL",
        "halted_at": "REAL",
        "updated_at": "REAL",
    },
    "volumes": {
        "device": "TEXT NOT NULL DEFAULT ''",
        "image_id": "TEXT NOT NULL DEFAULT ''",
    },
}


class DemoStore:
    """The state file of one demo cloud and its simulated timings.

    Every connection of a provider shares one store; workers on the same host share
    the file. Creating a store creates, upgrades and seeds the file as needed, and
    so does the next call after the file was deleted.

    :param path: the SQLite file holding the demo cloud's state.
    :param build_seconds: how long a server stays in BUILD.
    :param action_seconds: how long a stop, start or reboot takes; None for half
        the build time (so a cloud without build time has instant actions).
    :param boot_seconds: how long a server's OS takes to boot once it runs, from
        its first console line to cloud-init's last; None for the build time.
    :param latency: seconds every call sleeps, to feel like a real cloud.
    """

    def __init__(
        self,
        path: str,
        *,
        build_seconds: float = 3.0,
        action_seconds: float | None = None,
        boot_seconds: float | None = None,
        latency: float = 0.0,
    ) -> None:
        self.path = path
        self.build_seconds = build_seconds
        self.action_seconds = action_seconds
        self.boot_seconds = boot_seconds
        self.latency = latency
        #: open the file read-only, as when it cannot be written (tests use it)
        self.read_only = False
        self._set_up()

    @contextlib.contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        """A connection to the state file for one block: committed when the block
        ends, rolled back if it raises, then closed (one per call: cheap, and safe
        across threads).

        A file that is gone (deleted meanwhile) is made again first, with the schema
        and seed data of a first start. A file that cannot be opened or written
        raises :class:`CloudUnavailable`, saying so.
        """
        if not _has_data(self.path):
            self._set_up()
        with self._open() as db:
            yield db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection inside one write transaction, committed at the end.

        BEGIN IMMEDIATE makes the checks against the state (volumes, ports, quotas)
        and the writes that follow them one step for every worker process sharing
        the file.
        """
        with self.db() as db:
            db.execute("BEGIN IMMEDIATE")
            yield db

    def action_time(self) -> float:
        """Seconds a stop, start or reboot takes."""
        if self.action_seconds is None:
            return self.build_seconds / 2
        return self.action_seconds

    def boot_time(self) -> float:
        """Seconds from a server's first console line to cloud-init's last."""
        if self.boot_seconds is None:
            return self.build_seconds
        return self.boot_seconds

    def pause(self) -> None:
        """Sleep for the configured latency, as every call of the demo cloud does."""
        if self.latency:
            time.sleep(self.latency)

    def _set_up(self) -> None:
        """Create, upgrade and seed the file as needed (safe to run again, at once)."""
        with self._open() as db:
            db.executescript(SCHEMA)
            _upgrade(db)
            _seed_volumes(db)

    @contextlib.contextmanager
    def _open(self) -> Iterator[sqlite3.Connection]:
        """A connection to the file as it is; its failures to use the file become
        :class:`CloudUnavailable`."""
        target = self.path
        if self.read_only:
            target = f"file:{urllib.parse.quote(os.path.abspath(self.path))}?mode=ro"
        try:
            db = sqlite3.connect(target, timeout=10, uri=self.read_only)
            with contextlib.closing(db), db:
                db.row_factory = sqlite3.Row
                yield db
        except sqlite3.DatabaseError as error:
            # Not an IntegrityError and its kin, which are the caller's to handle.
            if type(error) not in (sqlite3.DatabaseError, sqlite3.OperationalError):
                raise
            raise _unavailable(self.path, error) from error


# -- rows that more than one part needs -----------------------------------------


def used_ports(db: sqlite3.Connection) -> set[str]:
    """The ids of the ports that a server uses, in every project."""
    return {row["port_id"] for row in db.execute("SELECT port_id FROM used_ports")}


def addresses_in_use(db: sqlite3.Connection) -> set[tuple[str, str]]:
    """(network name, address) of every server and port, in every project."""
    taken: set[tuple[str, str]] = set()
    for row in db.execute("SELECT networks FROM servers").fetchall():
        for entry in json.loads(row["networks"]):
            network, _, address = entry.partition(": ")
            taken.add((network, address))
    names = {n.id: n.name for n in data.NETWORKS}
    for ports in data.PORTS.values():
        for port in ports:
            taken.update((names[port.network_id], ip) for ip in port.fixed_ips)
    return taken


def seed_keypair(db: sqlite3.Connection, user_id: str) -> None:
    """Give the user the key pair every demo user starts with, unless they have it."""
    db.execute("INSERT OR IGNORE INTO keypairs VALUES (?, ?, ?)", (user_id, *data.SEED_KEYPAIR))


def server_row(db: sqlite3.Connection, server_id: str, project_id: str) -> sqlite3.Row:
    """The project's server of that id; raises NotFound."""
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM servers WHERE id = ? AND project_id = ?",
        (server_id, project_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"Instance {server_id} could not be found.")
    return row


def usage(db: sqlite3.Connection, project_id: str) -> tuple[int, int, int]:
    """Instances, cores and RAM (MB) the project's servers use."""
    flavors = {f.id: f for f in data.FLAVORS}
    rows = db.execute("SELECT flavor_id FROM servers WHERE project_id = ?", (project_id,))
    used = [flavors[row["flavor_id"]] for row in rows.fetchall()]
    return len(used), sum(f.vcpus for f in used), sum(f.ram_mb for f in used)


def volume_usage(db: sqlite3.Connection, project_id: str, project: str) -> tuple[int, int]:
    """Volumes and gigabytes in use (snapshots count towards gigabytes).

    :param project_id: the project's id, which its volumes are stored under.
    :param project: the project's name, which its snapshots are listed under.
    """
    row = db.execute(
        "SELECT COUNT(*) AS n, COALESCE(SUM(size_gb), 0) AS gb FROM volumes WHERE project_id = ?",
        (project_id,),
    ).fetchone()
    snapshots = sum(s.size_gb for s in data.VOLUME_SNAPSHOTS.get(project, ()))
    return row["n"], row["gb"] + snapshots


def volume_from_row(row: sqlite3.Row) -> Volume:
    """The volume a ``volumes`` row holds."""
    return Volume(
        id=row["id"],
        name=row["name"] or row["id"],
        size_gb=row["size_gb"],
        status=row["status"],
        bootable=bool(row["bootable"]),
        volume_type=row["volume_type"],
        availability_zone=row["availability_zone"],
        image_min_disk_gb=row["image_min_disk_gb"],
        image_min_ram_mb=row["image_min_ram_mb"],
        image_id=row["image_id"],
        device=row["device"] if row["server_id"] else "",
    )


# -- the file itself -------------------------------------------------------------


def _has_data(path: str) -> bool:
    """Whether the file is there and not empty (an empty one was made by a
    connection opened after it was deleted)."""
    try:
        return os.stat(path).st_size > 0
    except OSError:
        return False


def _unavailable(path: str, error: sqlite3.Error) -> CloudUnavailable:
    """The cloud layer's error for a file the demo cloud cannot use, in plain words."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    doing = {sqlite3.SQLITE_READONLY: "write", sqlite3.SQLITE_CANTOPEN: "open"}.get(code, "use")
    return CloudUnavailable(f"The demo cloud cannot {doing} its database ({path}): {error}.")


def _upgrade(db: sqlite3.Connection) -> None:
    """Bring a state file of an earlier version up to the current schema."""
    for table, added in _ADDED_COLUMNS.items():
        columns = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
        for column, definition in added.items():
            if column in columns:
                continue
            try:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
            except sqlite3.OperationalError as exc:
                # another worker starting at the same moment was first
                if "duplicate column" not in str(exc):
                    raise


def _seed_volumes(db: sqlite3.Connection) -> None:
    """Give each project its starting volumes, once per state file."""
    db.execute("BEGIN IMMEDIATE")
    if db.execute("INSERT OR IGNORE INTO seeded VALUES ('volumes')").rowcount == 0:
        return
    for project, volumes in data.VOLUMES.items():
        project_id = data.PROJECTS[project]["id"]
        for v in volumes:
            db.execute(
                "INSERT OR IGNORE INTO volumes (id, project_id, name, size_gb, status, "
                "bootable, volume_type, availability_zone, image_min_disk_gb, "
                "image_min_ram_mb, image_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    v.id,
                    project_id,
                    v.name,
                    v.size_gb,
                    v.status,
                    int(v.bootable),
                    v.volume_type,
                    v.availability_zone,
                    v.image_min_disk_gb,
                    v.image_min_ram_mb,
                    v.image_id,
                ),
            )
