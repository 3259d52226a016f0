"""Launch profiles: each user's saved launches, and the operator's.

A profile is what a user typed in each step of the launch wizard, as
``WizardState.input`` holds it (step slug -> field -> values), with a name and an
optional description; never the administrator password (:data:`SECRET_FIELDS`).

Every user's profiles are one versioned record, ``profiles:<user id>`` (Keystone's
user id: the same profiles from every login, browser and host), sealed like a
wizard (:mod:`.sealing`: what was typed, a script included, is never in clear at
rest) and kept with no expiry (:data:`KEEP`). A change names the version it read
and, when another change came first, is made again on the fresh record: so two
tabs saving at once both count, and names stay unique per user.

The operator's profiles come from the setting ``LAUNCH_PROFILES``
(:func:`operator_profiles`): the same shape, read-only.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from typing import Any

from webapp.state.sealing import Sealer
from webapp.state.store import StateStore

__all__ = [
    "KEEP",
    "NAME_MAX",
    "SECRET_FIELDS",
    "Inputs",
    "NameTaken",
    "Profile",
    "ProfileError",
    "ProfileGone",
    "ProfileStore",
    "operator_profiles",
    "same_name",
    "typed_input",
]

#: step slug -> field -> the values typed, as a wizard keeps them
Inputs = dict[str, dict[str, list[str]]]

#: fields a profile never keeps, whoever wrote it
SECRET_FIELDS = frozenset({"admin_pass", "confirm_admin_pass"})

#: a profile's longest name, and description
NAME_MAX = 64
DESCRIPTION_MAX = 255

#: "no expiry": every store needs a lifetime, so a hundred years (in seconds)
KEEP = 100 * 365.25 * 86400.0

#: the ids of the operator's profiles (a user's are hex: they never start so)
OPERATOR_PREFIX = "operator-"


@dataclass(frozen=True)
class Profile:
    """One saved launch.

    :param input: what was typed, step by step (:data:`Inputs`).
    :param names: the names of the ids chosen (an image's, a flavor's...) when it
        was saved, to say which one is gone when the cloud no longer has it.
    :param saved_at: when it was saved (ISO 8601, UTC).
    :param operator: one of the operator's (read-only).
    """

    id: str
    name: str
    description: str = ""
    input: Inputs = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    saved_at: str = ""
    operator: bool = False


class ProfileError(Exception):
    """A change to the profiles that cannot be made."""


class NameTaken(ProfileError):
    """The user has a profile of that name already."""


class ProfileGone(ProfileError):
    """No profile of that id (deleted meanwhile, or never there)."""


def same_name(one: str, other: str) -> bool:
    """Whether two profile names are the same to a user: case and spacing aside."""
    return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()


def typed_input(values: Mapping[str, Mapping[str, Any]]) -> Inputs:
    """Input as a profile keeps it: each value a list of strings (a single value
    becomes a list of one), the secret fields left out."""
    kept: Inputs = {}
    for slug, fields in values.items():
        kept[str(slug)] = {
            str(name): [value] if isinstance(value, str) else [str(v) for v in value]
            for name, value in fields.items()
            if name not in SECRET_FIELDS
        }
    return kept


class ProfileStore:
    """One user's profiles in a state store.

    :param user_id: the user's Keystone id.
    :param attempts: how often a change is made again when other changes keep
        coming first.
    """

    def __init__(
        self, store: StateStore, sealer: Sealer, *, user_id: str, attempts: int = 8
    ) -> None:
        self._store = store
        self._sealer = sealer
        self._attempts = attempts
        self.key = f"profiles:{user_id}"

    def listed(self) -> list[Profile]:
        """The user's profiles, by name."""
        found = [_profile(item) for item in self._read()[0]]
        return sorted(found, key=lambda p: (p.name.casefold(), p.name))

    def get(self, profile_id: str) -> Profile | None:
        """The profile with this id, or None."""
        return next((p for p in self.listed() if p.id == profile_id), None)

    def add(
        self,
        name: str,
        inputs: Mapping[str, Mapping[str, Any]],
        *,
        description: str = "",
        names: Mapping[str, str] | None = None,
    ) -> Profile:
        """Keep a new profile (the secret fields of ``inputs`` left out).

        :raises NameTaken: the user has one of this name already.
        """
        profile = Profile(
            id=secrets.token_hex(8),
            name=name.strip(),
            description=description.strip(),
            input=typed_input(inputs),
            names=dict(names or {}),
            saved_at=_now(),
        )

        def change(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            _check_free(items, profile.name)
            return [*items, _item(profile)]

        self._change(change)
        return profile

    def rename(self, profile_id: str, name: str, description: str) -> Profile:
        """Give a profile another name and description.

        :raises NameTaken: another profile of the user has that name.
        :raises ProfileGone: there is no such profile.
        """
        renamed: list[Profile] = []

        def change(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            renamed.clear()
            current = _find(items, profile_id)
            _check_free(items, name.strip(), but=profile_id)
            new = replace(_profile(current), name=name.strip(), description=description.strip())
            renamed.append(new)
            return [_item(new) if item is current else item for item in items]

        self._change(change)
        return renamed[0]

    def delete(self, profile_id: str) -> Profile:
        """Forget a profile; the profile as it was.

        :raises ProfileGone: there is no such profile.
        """
        deleted: list[Profile] = []

        def change(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            current = _find(items, profile_id)
            deleted[:] = [_profile(current)]
            return [item for item in items if item is not current]

        self._change(change)
        return deleted[0]

    # -- the record ---------------------------------------------------------------

    def _read(self) -> tuple[list[dict[str, Any]], int]:
        """The profiles as stored, and the record's version (0: none yet)."""
        found = self._store.versioned(self.key)
        if found is None:
            return [], 0
        plain = self._sealer.unseal(found[0])
        if plain is None:
            # Sealed under another secret key: unreadable, as good as none; the
            # next change replaces it.
            return [], found[1]
        items: list[dict[str, Any]] = json.loads(plain)["profiles"]
        return items, found[1]

    def _change(self, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
        """Apply ``change`` to the stored profiles and write them, again on a fresh
        copy while other writes come first."""
        for _attempt in range(self._attempts):
            items, version = self._read()
            sealed = self._sealer.seal(json.dumps({"profiles": change(items)}).encode())
            if self._store.put_versioned(self.key, sealed, version=version, ttl=KEEP) is not None:
                return
        raise ProfileError(f"{self.key} kept changing; not saved")


def operator_profiles(setting: object) -> tuple[Profile, ...]:
    """The operator's profiles from ``LAUNCH_PROFILES``: a list of
    ``{"name", "description" (optional), "input": {step slug: {field: value}}}``,
    a value being a string or a list of strings (as the wizard posts them).

    :raises ValueError: the setting is not of that shape (said at app start).
    """
    if not isinstance(setting, list):
        raise ValueError("LAUNCH_PROFILES must be a list of profiles")
    profiles: list[Profile] = []
    for number, entry in enumerate(setting, start=1):
        where = f"LAUNCH_PROFILES[{number - 1}]"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where} must be a mapping")
        name, description = entry.get("name"), entry.get("description", "")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
            raise ValueError(f"{where}: 'name' must be a text of 1 to {NAME_MAX} characters")
        if not isinstance(description, str):
            raise ValueError(f"{where}: 'description' must be a text")
        if any(same_name(name, other.name) for other in profiles):
            raise ValueError(f"{where}: the name {name!r} is used twice")
        profiles.append(
            Profile(
                id=f"{OPERATOR_PREFIX}{number}",
                name=name.strip(),
                description=description.strip(),
                input=_operator_input(entry.get("input"), where),
                operator=True,
            )
        )
    return tuple(profiles)


def _operator_input(value: object, where: str) -> Inputs:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: 'input' must map step slugs to their fields")
    for slug, fields in value.items():
        if not isinstance(fields, Mapping):
            raise ValueError(f"{where}: input[{slug!r}] must map field names to values")
        for name, typed in fields.items():
            texts = [typed] if isinstance(typed, str) else typed
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                raise ValueError(
                    f"{where}: input[{slug!r}][{name!r}] must be a text or a list of texts"
                )
    return typed_input(value)


def _check_free(items: list[dict[str, Any]], name: str, *, but: str | None = None) -> None:
    if any(same_name(item["name"], name) and item["id"] != but for item in items):
        raise NameTaken(name)


def _find(items: list[dict[str, Any]], profile_id: str) -> dict[str, Any]:
    found = next((item for item in items if item["id"] == profile_id), None)
    if found is None:
        raise ProfileGone(profile_id)
    return found


def _item(profile: Profile) -> dict[str, Any]:
    item = asdict(profile)
    del item["operator"]
    return item


def _profile(item: Mapping[str, Any]) -> Profile:
    return Profile(
        id=item["id"],
        name=item["name"],
        description=item.get("description", ""),
        input=item.get("input", {}),
        names=item.get("names", {}),
        saved_at=item.get("saved_at", ""),
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
