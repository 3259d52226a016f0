"""Neither the Keystone token nor a typed admin password is ever in clear at rest.

A user logs in and types an administrator password into the wizard; then every
byte the store keeps is searched for them: SQLite, every value of every table
and the raw file with its write-ahead log; Redis, every key's value and the
append-only log on disk. The demo cloud's "token" is the session's
``identity.auth_state`` (the project and the expiry time), read through the
app. After the launch, the password is gone from the wizard's record itself.
"""

from __future__ import annotations

import json

PASSWORD = "Sup3r-s3cret!"
#: typed into the wizard too: its record is sealed, not only the password
CANARY = "vm-canary-7f3a9c"


def needles(token: str) -> dict[str, bytes]:
    """The secrets as they could appear at rest: as they are, and JSON-escaped
    (a session field is JSON) and their most telling part alone."""
    expires = str(json.loads(token)["expires_at"])
    return {
        "password": PASSWORD.encode(),
        "token": token.encode(),
        "token as JSON": json.dumps(token).encode(),
        "token's expiry": expires.encode(),
        "typed name": CANARY.encode(),
    }


def in_clear(data: bytes, token: str) -> list[str]:
    """Which secrets ``data`` holds in clear."""
    return [name for name, needle in needles(token).items() if needle in data]


def flatten(value: object) -> bytes:
    """Every part of an entry (nested tuples of bytes, text and numbers) as bytes."""
    if isinstance(value, tuple):
        return b"\n".join(flatten(part) for part in value)
    return value if isinstance(value, bytes) else str(value).encode()


def test_no_token_or_admin_password_in_clear_at_rest(
    live, browsers, store, store_entries, store_bytes
):
    user = browsers()
    user.login()
    user.open()
    user.fill_all(name=CANARY, admin_pass=PASSWORD, confirm_admin_pass=PASSWORD)
    user.save("config", "back", hostname="canary-host")

    session = user.session(live.app)
    token = session["identity"]["auth_state"]
    assert json.loads(token)["project_id"] == session["identity"]["project_id"]
    record, _ = user.record(live.app)
    assert record["input"]["access"]["admin_pass"] == [PASSWORD], "the password was typed"

    entries = store_entries()
    values = b"\n".join(flatten(key) + b"\n" + flatten(value) for key, value in entries.items())
    found_in_values = in_clear(values, token)
    raw = store_bytes()
    found_at_rest = in_clear(raw, token)
    print(
        f"\nsecrets at rest ({store}): {len(entries)} entries ({len(values)} bytes), "
        f"{len(raw)} raw bytes searched; in clear: {found_in_values + found_at_rest}"
    )
    assert any(b"session:" in part.encode() for key in entries for part in key), "no session?"
    # The search sees what is kept in clear: the wizard's lists (from the cloud).
    assert b"cirros" in values and b"cirros" in raw, "the search missed the plain values"
    assert found_in_values == [], f"in clear in the store's values: {found_in_values}"
    assert found_at_rest == [], f"in clear in the store's files: {found_at_rest}"

    server_page = user.launch()
    assert server_page.startswith("/servers/")
    record, _ = user.record(live.app)
    kept = json.dumps(record)
    assert PASSWORD not in kept, "the admin password outlived the launch"
    assert record["input"] == {} and record["result"]["server_ids"], record
    found_after = in_clear(store_bytes(), token)
    assert found_after == [], f"in clear after the launch: {found_after}"
