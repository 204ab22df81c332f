"""Ocat look-ups shared through Redis (`USINT_CACHE_URL`): the real server on 127.0.0.1:6379, database 15."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
import redis

from data.board.rows import ocat_basics
from data.ocat.cache import LocalCache, RedisCache, make_cache
from data.ocat.lookups import Basics, source_key

REDIS_URL = "redis://127.0.0.1:6379/15"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_hosts_share_what_one_kept_and_it_expires(redis_url):
    first, second = RedisCache(redis_url), RedisCache(redis_url)
    first.set_many({"usint:test:a": ["Cas A", "Smith"], "usint:test:b": [None, 3]}, ttl_s=60)
    assert second.get_many(["usint:test:a", "usint:test:b", "usint:test:c"]) == {
        "usint:test:a": ["Cas A", "Smith"],
        "usint:test:b": [None, 3],
    }
    assert 0 < redis.Redis.from_url(redis_url).pttl("usint:test:a") <= 60_000


def test_the_board_reads_target_and_pi_through_redis(redis_url, ocat_source):
    obsid = 12345
    lookups = make_cache(redis_url)
    found, ok = ocat_basics(ocat_source, [obsid], lookups)
    assert ok and found[obsid].target  # read from the Ocat, then kept in Redis
    key = f"usint:basics:{source_key(ocat_source)}:{obsid}"
    client = redis.Redis.from_url(redis_url)
    assert client.exists(key)
    client.set(key, '["From Redis", "Keeper", "GO", "ACIS-S"]')  # what another host kept
    again, ok = ocat_basics(ocat_source, [obsid], RedisCache(redis_url))
    assert ok and again[obsid] == Basics("From Redis", "Keeper", "GO", "ACIS-S")


def test_a_redis_that_does_not_answer_means_reading_the_ocat(ocat_source, caplog):
    lookups = RedisCache(f"redis://127.0.0.1:{closed_port()}/0", timeout_s=0.2)
    found, ok = ocat_basics(ocat_source, [12345], lookups)
    assert ok and found[12345].target
    assert any("not answering" in r.message for r in caplog.records)
    assert lookups.get_many(["x"]) == {}  # resting: no second wait


def test_without_a_url_each_process_keeps_its_own():
    cache = make_cache(None)
    assert isinstance(cache, LocalCache)
    cache.set_many({"k": 1}, ttl_s=60)
    assert cache.get_many(["k", "j"]) == {"k": 1}
    cache.set_many({"k": 2}, ttl_s=-1)
    assert cache.get_many(["k"]) == {}
