"""Caches of Ocat look-ups that workers and hosts may share: in this process by default, Redis when
`USINT_CACHE_URL` names one. Values are JSON. A Redis that does not answer is treated as empty (the caller reads
the Ocat instead) and asked again after `RETRY_S`; it never fails a page."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

log = logging.getLogger(__name__)

RETRY_S = 30.0


class Cache(Protocol):
    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The values found for `keys` (missing or expired keys are left out)."""

    def set_many(self, items: Mapping[str, Any], ttl_s: float) -> None:
        """Keep `items` for `ttl_s` seconds."""


class LocalCache:
    """This process only (each gunicorn worker has its own)."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        now = time.monotonic()
        with self._lock:
            hits = {k: self._items.get(k) for k in keys}
        return {k: v[1] for k, v in hits.items() if v is not None and v[0] > now}

    def set_many(self, items: Mapping[str, Any], ttl_s: float) -> None:
        expires = time.monotonic() + ttl_s
        with self._lock:
            if len(self._items) > 200_000:
                self._items.clear()
            self._items.update((k, (expires, v)) for k, v in items.items())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RedisCache:
    """Redis (`redis://host:port/db`), shared by every worker and host that names it."""

    def __init__(self, url: str, *, timeout_s: float = 0.5) -> None:
        import redis  # only a process whose USINT_CACHE_URL names a Redis loads it (about 4 MiB)

        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
        self._failed: type[Exception] = redis.RedisError
        self._down_until = 0.0

    def _down(self, err: Exception) -> None:
        if time.monotonic() >= self._down_until:
            log.warning("cache %s not answering (%s); reading the Ocat instead for %g s", self._safe_url, err, RETRY_S)
        self._down_until = time.monotonic() + RETRY_S

    @property
    def _safe_url(self) -> str:
        return self.url.split("@")[-1]  # never log a password

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(keys)
        if not keys or time.monotonic() < self._down_until:
            return {}
        try:
            values = self._client.mget(keys)
        except self._failed as err:
            self._down(err)
            return {}
        return {k: json.loads(v) for k, v in zip(keys, values, strict=True) if v is not None}

    def set_many(self, items: Mapping[str, Any], ttl_s: float) -> None:
        if not items or time.monotonic() < self._down_until:
            return
        try:
            with self._client.pipeline(transaction=False) as pipe:
                for key, value in items.items():
                    pipe.set(key, json.dumps(value), px=max(1, int(ttl_s * 1000)))
                pipe.execute()
        except self._failed as err:
            self._down(err)


def make_cache(url: str | None) -> Cache:
    """`RedisCache(url)` for a redis URL, else a `LocalCache`."""
    return RedisCache(url) if url else LocalCache()
