"""The Redis cache backend (gongkai/rediscache.py) against a real Redis: what the
production settings use with REDIS_URL. Skipped when no Redis answers on
127.0.0.1:6379 (CI and the development machine run one)."""

import socket
import threading
import uuid

import pytest

from gongkai.rediscache import RedisCache

ADDRESS = ("127.0.0.1", 6379)


@pytest.fixture
def redis_cache():
    try:
        socket.create_connection(ADDRESS, timeout=0.5).close()
    except OSError:
        pytest.skip("127.0.0.1:6379 上没有 Redis")
    cache = RedisCache(
        f"redis://{ADDRESS[0]}:{ADDRESS[1]}/15",
        {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"},  # never touches other keys
    )
    yield cache
    cache.delete_many(["page", "generation", "counter", *(f"t{n}" for n in range(8))])


def test_one_client_per_pool_is_reused(redis_cache):
    first = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client(write=True) is first
    assert redis_cache._cache.get_client() is first  # one server: reads use the same pool


def test_behaves_as_the_django_backend(redis_cache):
    page = (17, 200, {"Content-Type": "text/html; charset=utf-8"}, "目录".encode())
    redis_cache.set("page", page, 60)
    redis_cache.set("generation", 17, None)
    assert redis_cache.get_many(["generation", "page", "missing"]) == {
        "generation": 17,
        "page": page,
    }
    assert redis_cache.add("generation", 18, None) is False
    assert redis_cache.incr("generation") == 18
    redis_cache.delete("page")
    assert redis_cache.get("page") is None


def test_the_shared_client_serves_threads_at_once(redis_cache):
    errors = []

    def work(n):
        try:
            for i in range(200):
                redis_cache.set(f"t{n}", i, 60)
                assert redis_cache.get(f"t{n}") == i
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [redis_cache.get(f"t{n}") for n in range(8)] == [199] * 8
