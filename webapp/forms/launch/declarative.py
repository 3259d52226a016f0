"""A launch step declared in the configuration: checked at start, built as a real
:class:`~webapp.forms.launch.extra_steps.OperatorStep` with its WTForms action.

One entry of ``LAUNCH_EXTRA_STEPS`` (see ``webapp/config.py``)::

    {"slug": "owner", "name": {"en": "Owner", "zh_CN": "负责人"}, "help": "...",
     "after": "details",
     "fields": [{"name": "owner", "label": "Owner", "help": "...", "required": true,
                 "pattern": "[a-z]{2,20}", "pattern_message": "...",
                 "metadata": "owner"},
                {"name": "purpose", "label": "Purpose",
                 "choices": ["test", ["prod", {"en": "Production", "zh_CN": "生产"}]],
                 "default": "test", "tag": "purpose:"}]}

Each field is a text box (with an optional ``pattern``, matched in full) or a
list (``choices``), and contributes its value as a Nova metadata item
(``"metadata": "<key>"``), a server tag (``"tag": true``) or a tag with a prefix
(``"tag": "<prefix>"``); a field left empty contributes nothing. Names, labels,
help and choice labels are a string or a mapping by language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import ClassVar

from wtforms import Field
from wtforms import SelectField
from wtforms import StringField
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp

from webapp.forms.launch.common import METADATA_KEY
from webapp.forms.launch.common import LaunchAction
from webapp.forms.launch.common import SelectChoice
from webapp.forms.launch.extra_steps import Additions
from webapp.forms.launch.extra_steps import ExtraStepError
from webapp.forms.launch.extra_steps import Localized
from webapp.forms.launch.extra_steps import OperatorStep
from webapp.forms.launch.extra_steps import Recovered
from webapp.i18n import lazy_gettext as _l

__all__ = ["DeclaredStep", "declared_step"]

STEP_KEYS = frozenset({"slug", "name", "help", "before", "after", "fields"})
FIELD_KEYS = frozenset(
    {
        "name",
        "label",
        "help",
        "required",
        "pattern",
        "pattern_message",
        "choices",
        "default",
        "metadata",
        "tag",
    }
)
#: a step's slug (in its URL) and a field's name (a context key): short identifiers
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
#: names an action's own attributes have (a field of that name would hide them)
_ACTION_NAMES = frozenset({"context", "resources", "is_bound"}) | frozenset(dir(LaunchAction))
#: Nova's limits: a metadata value, a tag
METADATA_VALUE_MAX = 255
TAG_MAX = 60
#: metadata keys Skiff sets itself (the expiry's lease)
RESERVED_PREFIX = "skiff:"


class DeclaredStep(OperatorStep):
    """A step built from the configuration: each field's value goes to the
    server as a metadata item and/or a tag (``contributions``)."""

    #: (field name, metadata key or None, tag prefix or None), in the form's order
    contributions: ClassVar[tuple[tuple[str, str | None, str | None], ...]] = ()
    #: the metadata keys the step sets (each set by one step only)
    metadata_keys: ClassVar[tuple[str, ...]] = ()

    def additions(self, data: Mapping[str, Any]) -> Additions:
        metadata: dict[str, str] = {}
        tags: list[str] = []
        for name, key, prefix in self.contributions:
            value = data.get(name)
            if value is None or value == "":
                continue
            if key is not None:
                metadata[key] = str(value)
            if prefix is not None:
                tags.append(prefix + str(value))
        return Additions(metadata, tuple(tags))

    @classmethod
    def from_server(cls, metadata: Mapping[str, str], tags: Sequence[str]) -> Recovered:
        """Each field's value from its metadata item, else from the first tag
        with its prefix (a tag without a prefix is known only beside its item)."""
        values: dict[str, str] = {}
        keys: set[str] = set()
        owned: set[str] = set()
        for name, key, prefix in cls.contributions:
            if key is not None and key in metadata:
                values[name] = metadata[key]
                keys.add(key)
            if prefix is None:
                continue
            if name in values:
                tag = prefix + values[name]
                found = tag if tag in tags else None
            else:
                found = next((t for t in tags if prefix and t.startswith(prefix)), None)
                if found is not None:
                    values[name] = found[len(prefix) :]
            if found is not None:
                owned.add(found)
        return Recovered(values, frozenset(keys), frozenset(owned))


def declared_step(spec: Mapping[str, Any], *, languages: Sequence[str]) -> type[DeclaredStep]:
    """The step ``spec`` declares; raises :class:`ExtraStepError` saying what is
    wrong (an unknown key, a bad pattern, a metadata key Nova would refuse...)."""
    _no_unknown(spec, STEP_KEYS, "step")
    slug = _identifier(spec.get("slug"), "slug")
    name = _text(spec.get("name"), "name", languages)
    if name is None:
        raise ExtraStepError(f"step {slug!r}: a name is required")
    help_text = _text(spec.get("help"), "help", languages)
    specs = spec.get("fields")
    if not isinstance(specs, list) or not specs:
        raise ExtraStepError(f"step {slug!r}: fields must be a non-empty list")
    fields: dict[str, Field] = {}
    contributions = []
    for number, field_spec in enumerate(specs):
        try:
            field_name, form_field, contribution = _field(field_spec, languages)
        except ExtraStepError as error:
            raise ExtraStepError(f"step {slug!r}, fields[{number}]: {error}") from error
        if field_name in fields:
            raise ExtraStepError(f"step {slug!r}: two fields are named {field_name!r}")
        fields[field_name] = form_field
        contributions.append((field_name, *contribution))
    keys = [key for _name, key, _prefix in contributions if key is not None]
    if len(set(keys)) < len(keys):
        raise ExtraStepError(f"step {slug!r}: two fields set the same metadata key")
    meta = type("Meta", (), {"name": name, "slug": slug, "help_text": help_text or ""})
    action = type(f"Declared_{slug}_Action", (LaunchAction,), {"Meta": meta, **fields})
    return type(
        f"Declared_{slug}_Step",
        (DeclaredStep,),
        {
            "__doc__": f"The operator's step {slug!r}, from LAUNCH_EXTRA_STEPS.",
            "action_class": action,
            "contributions": tuple(contributions),
            "metadata_keys": tuple(keys),
        },
    )


def _field(spec: Any, languages: Sequence[str]) -> tuple[str, Field, tuple[str | None, str | None]]:
    """A field's name, its WTForms field (unbound) and what it contributes."""
    if not isinstance(spec, Mapping):
        raise ExtraStepError("a field is a mapping (a JSON object)")
    _no_unknown(spec, FIELD_KEYS, "field")
    name = _identifier(spec.get("name"), "name")
    if name in _ACTION_NAMES:
        raise ExtraStepError(f"the name {name!r} is taken by the form itself")
    # Localized texts stand for labels as WTForms' own lazy strings do.
    label: Any = _text(spec.get("label"), "label", languages)
    if label is None:
        raise ExtraStepError(f"field {name!r}: a label is required")
    description: Any = _text(spec.get("help"), "help", languages) or ""
    required = spec.get("required", False)
    if not isinstance(required, bool):
        raise ExtraStepError(f"field {name!r}: required is true or false")
    key, prefix = _contribution(spec, name)
    default = spec.get("default")
    if default is not None and not isinstance(default, str):
        raise ExtraStepError(f"field {name!r}: the default is a string")
    presence = DataRequired() if required else Optional()
    if "choices" in spec:
        if "pattern" in spec or "pattern_message" in spec:
            raise ExtraStepError(f"field {name!r}: a pattern or choices, not both")
        choices = _choices(spec["choices"], name, languages)
        if default is not None and default not in {value for value, _label in choices}:
            raise ExtraStepError(f"field {name!r}: the default {default!r} is not a choice")
        blank = _l("Choose…") if required else _l("None")
        field: Field = SelectField(
            label,
            choices=[SelectChoice(value, label) for value, label in [("", blank), *choices]],
            default=default or "",
            validators=[presence, *_limits(prefix)],
            description=description,
        )
        return name, field, (key, prefix)
    validators: list[Any] = [presence, *_limits(prefix)]
    if "pattern" in spec:
        validators.append(_pattern(spec, name, default, languages))
    elif "pattern_message" in spec:
        raise ExtraStepError(f"field {name!r}: pattern_message without a pattern")
    field = StringField(
        label,
        default=default or "",
        validators=validators,
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description=description,
    )
    return name, field, (key, prefix)


def _contribution(spec: Mapping[str, Any], name: str) -> tuple[str | None, str | None]:
    """(metadata key, tag prefix): what the field's value becomes on the server."""
    key = spec.get("metadata")
    tag = spec.get("tag", False)
    if key is None and tag is False:
        raise ExtraStepError(
            f'field {name!r}: say what it contributes: "metadata": "<key>" or "tag"'
        )
    if key is not None:
        if not isinstance(key, str) or not METADATA_KEY.match(key):
            raise ExtraStepError(
                f"field {name!r}: the metadata key {key!r} is not one Nova takes "
                "(1 to 255 letters, digits, spaces and - _ : .)"
            )
        if key.startswith(RESERVED_PREFIX):
            raise ExtraStepError(
                f"field {name!r}: metadata keys {RESERVED_PREFIX}* are Skiff's own"
            )
    prefix: str | None = None
    if tag is True:
        prefix = ""
    elif isinstance(tag, str) and tag:
        if len(tag) >= TAG_MAX or "," in tag or "/" in tag:
            raise ExtraStepError(
                f"field {name!r}: the tag prefix {tag!r} leaves no room for a tag "
                f"(a tag has at most {TAG_MAX} characters, no ',' nor '/')"
            )
        prefix = tag
    elif tag is not False:
        raise ExtraStepError(f'field {name!r}: "tag" is true, false or a prefix')
    return key, prefix


def _limits(prefix: str | None) -> list[Any]:
    """What Nova takes: a metadata value of 255 characters; a tag of 60 (the
    prefix included) without ',' or '/'."""
    if prefix is None:
        return [Length(max=METADATA_VALUE_MAX)]

    def tag_rule(form: Any, field: Field) -> None:
        value = prefix + str(field.data or "")
        if len(value) > TAG_MAX or "," in value or "/" in value:
            raise ValidationError(
                _l(
                    "A tag has at most %(max)d characters, none of them “,” or “/”.",
                    max=TAG_MAX - len(prefix),
                )
            )

    return [Length(max=METADATA_VALUE_MAX), tag_rule]


def _pattern(
    spec: Mapping[str, Any], name: str, default: str | None, languages: Sequence[str]
) -> Regexp:
    """The field's pattern, matched against the whole value."""
    pattern = spec["pattern"]
    if not isinstance(pattern, str) or not pattern:
        raise ExtraStepError(f"field {name!r}: the pattern is a regular expression")
    try:
        compiled = re.compile(rf"(?:{pattern})\Z")
    except re.error as error:
        raise ExtraStepError(
            f"field {name!r}: the pattern {pattern!r} is not valid: {error}"
        ) from error
    if default and not compiled.match(default):
        raise ExtraStepError(f"field {name!r}: the default {default!r} does not match the pattern")
    message: Any = _text(spec.get("pattern_message"), "pattern_message", languages)
    return Regexp(
        compiled,
        message=message or _l("Enter a value of the form %(pattern)s.", pattern=pattern),
    )


def _choices(given: Any, name: str, languages: Sequence[str]) -> list[tuple[str, Any]]:
    """(value, label) pairs from values or [value, label] pairs."""
    if not isinstance(given, list) or not given:
        raise ExtraStepError(f"field {name!r}: choices must be a non-empty list")
    choices: list[tuple[str, Any]] = []
    for choice in given:
        if isinstance(choice, str):
            value, label = choice, Localized(choice)
        elif isinstance(choice, list) and len(choice) == 2 and isinstance(choice[0], str):
            value = choice[0]
            label = _text(choice[1], f"the label of {value!r}", languages) or Localized(value)
        else:
            raise ExtraStepError(
                f"field {name!r}: a choice is a value or a [value, label] pair, not {choice!r}"
            )
        if not value or value in {known for known, _label in choices}:
            raise ExtraStepError(f"field {name!r}: choice values are distinct and not empty")
        choices.append((value, label))
    return choices


def _text(given: Any, what: str, languages: Sequence[str]) -> Localized | None:
    """A string, or a mapping by language, as a :class:`Localized`; None if absent."""
    if given is None:
        return None
    if isinstance(given, str) and given.strip():
        return Localized(given)
    if isinstance(given, Mapping) and given:
        unknown = sorted(set(given) - set(languages))
        if unknown:
            raise ExtraStepError(
                f"{what}: languages {unknown} are not in LANGUAGES {list(languages)}"
            )
        if all(isinstance(text, str) and text.strip() for text in given.values()):
            return Localized(given)
    raise ExtraStepError(f"{what}: a non-empty string, or a mapping by language, not {given!r}")


def _identifier(given: Any, what: str) -> str:
    if not isinstance(given, str) or not _NAME.fullmatch(given):
        raise ExtraStepError(
            f"{what} {given!r}: lower-case letters, digits and _, starting with a letter "
            "(at most 40)"
        )
    return given


def _no_unknown(spec: Mapping[str, Any], known: frozenset[str], what: str) -> None:
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ExtraStepError(f"unknown {what} keys {unknown} (known: {sorted(known)})")
