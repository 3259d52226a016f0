"""What the user typed in one step, in the shape WTForms reads.

The engine keeps each step's input as plain lists of strings per field (JSON-like,
so any store can hold it) and hands it back to WTForms as a :class:`StepInput`.
Anything with ``getlist`` will do as input, a web framework's form
data included.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import Protocol

__all__ = ["InputLike", "StepInput"]


class InputLike(Protocol):
    """Form data as web frameworks and WTForms know it: field names, and the
    values posted for each."""

    def getlist(self, key: str, /) -> list[Any]: ...

    def __iter__(self) -> Iterator[str]: ...

    def __len__(self) -> int: ...

    def __contains__(self, key: Any, /) -> bool: ...


class StepInput(dict[str, list[str]]):
    """A step's input: each field's posted values, in order."""

    def getlist(self, key: str) -> list[str]:
        """The values posted for ``key`` (none: an empty list), like a request's form."""
        return list(self.get(key, ()))

    @classmethod
    def from_values(cls, values: Mapping[str, str | list[str]]) -> StepInput:
        """Input from single values or lists of them (``{"count": "2"}``)."""
        return cls({k: [v] if isinstance(v, str) else list(v) for k, v in values.items()})

    @classmethod
    def of(cls, formdata: InputLike, fields: Iterable[str]) -> StepInput:
        """Only the ``fields`` of ``formdata`` that were posted (buttons, tokens and
        other wizards' fields are not step input)."""
        return cls({key: formdata.getlist(key) for key in fields if key in formdata})
