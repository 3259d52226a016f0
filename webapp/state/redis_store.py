"""The state store for several hosts: Redis.

Each kind of record has its own key space under the prefix (``f:`` records of
fields, ``v:`` versioned values, ``p:`` plain values), as the SQLite store has a
table for each. Redis expires the keys itself (``PEXPIRE``, ``SET … PX``). A record
of fields is a hash, changed in place by a Lua script that keeps its lifetime; a
versioned value is a hash ``{v: version, d: data}``, compared and set by another.
A hash cannot be empty, so a record of fields without fields does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager

import redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from webapp.state.store import StoreUnavailable

__all__ = ["RedisStore"]

#: Set ``ARGV[2 .. 2n+1]`` (n = ``ARGV[1]`` field and value pairs) and delete the
#: fields after them, if the hash exists; HSET and HDEL keep its lifetime.
_UPDATE_FIELDS = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local n = tonumber(ARGV[1])
if n > 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 2, 2 * n + 1))
end
if #ARGV > 2 * n + 1 then
  redis.call('HDEL', KEYS[1], unpack(ARGV, 2 * n + 2))
end
return 1
"""

#: Write data ``ARGV[2]`` living ``ARGV[3]`` ms if the version is still ``ARGV[1]``
#: (0: no value yet); the new version, or nil when another write came first.
_PUT_VERSIONED = """
local current = redis.call('HGET', KEYS[1], 'v')
current = current and tonumber(current) or 0
if current ~= tonumber(ARGV[1]) then
  return false
end
redis.call('HSET', KEYS[1], 'v', current + 1, 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return current + 1
"""

#: Seconds to wait for Redis to accept a connection or to answer.
TIMEOUT = 2.0


class RedisStore:
    """A :class:`~webapp.state.store.StateStore` in Redis, its keys under ``prefix``.

    ``client`` must answer bytes (``decode_responses`` off, as by default):
    values are any bytes, not text.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "skiff:") -> None:
        self.client = client
        self.prefix = prefix
        self._update_fields = client.register_script(_UPDATE_FIELDS)
        self._put_versioned = client.register_script(_PUT_VERSIONED)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "skiff:") -> RedisStore:
        """A store on a client for ``url`` that gives up quickly when Redis is down
        (one immediate retry, for a connection Redis closed since its last use)."""
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=TIMEOUT,
            socket_timeout=TIMEOUT,
            retry=Retry(NoBackoff(), 1),
        )
        return cls(client, prefix=prefix)

    # -- records of fields ------------------------------------------------------

    def fields(self, key: str) -> dict[str, bytes]:
        with _answering():
            stored = self.client.hgetall(self._key("f", key))
        return {_text(field): _bytes(value) for field, value in stored.items()}

    def create_fields(self, key: str, values: Mapping[str, bytes], *, ttl: float) -> None:
        name = self._key("f", key)
        with _answering():
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(name)
            if values:
                pipe.hset(name, items=[part for pair in values.items() for part in pair])
                pipe.pexpire(name, _ms(ttl))
            pipe.execute()

    def update_fields(
        self, key: str, values: Mapping[str, bytes], *, remove: Iterable[str] = ()
    ) -> bool:
        args: list[str | bytes | int] = [len(values)]
        for field, value in values.items():
            args += (field, value)
        args += remove
        with _answering():
            updated = self._update_fields(keys=[self._key("f", key)], args=args)
        return bool(updated)

    # -- versioned values -------------------------------------------------------

    def versioned(self, key: str) -> tuple[bytes, int] | None:
        with _answering():
            data, version = self.client.hmget(self._key("v", key), ["d", "v"])
        return None if data is None or version is None else (_bytes(data), int(version))

    def put_versioned(self, key: str, value: bytes, *, version: int, ttl: float) -> int | None:
        with _answering():
            written = self._put_versioned(
                keys=[self._key("v", key)], args=[version, value, _ms(ttl)]
            )
        return None if written is None else int(written)

    # -- plain values -----------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        with _answering():
            value = self.client.get(self._key("p", key))
        return None if value is None else _bytes(value)

    def put(self, key: str, value: bytes, *, ttl: float) -> None:
        with _answering():
            self.client.set(self._key("p", key), value, px=_ms(ttl))

    def add(self, key: str, value: bytes, *, ttl: float) -> bool:
        with _answering():
            added = self.client.set(self._key("p", key), value, px=_ms(ttl), nx=True)
        return bool(added)

    # -- any kind ---------------------------------------------------------------

    def delete(self, *keys: str) -> None:
        if not keys:
            return
        with _answering():
            self.client.delete(*(self._key(kind, key) for key in keys for kind in "fvp"))

    def ping(self) -> None:
        with _answering():
            self.client.ping()

    def _key(self, kind: str, key: str) -> str:
        return f"{self.prefix}{kind}:{key}"


@contextmanager
def _answering() -> Iterator[None]:
    """Turn the errors of Redis into :class:`StoreUnavailable`."""
    try:
        yield
    except RedisError as error:
        raise StoreUnavailable(f"The Redis state store failed: {error}") from error


def _ms(ttl: float) -> int:
    """A lifetime in whole milliseconds, at least one (Redis refuses zero)."""
    return max(1, round(ttl * 1000))


def _bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
