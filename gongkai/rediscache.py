"""Django's Redis cache backend, with one redis-py client per connection pool.

Django's RedisCacheClient makes a new redis.Redis for every cache call, and redis-py's
constructor builds its table of about 170 response callbacks each time: on the
portal that was a third of the cost of serving a cached page. A redis.Redis is safe
to share between threads (it takes a connection from its pool for each command and
gives it back), so each pool gets one client, made on first use.

Redis unreachable (issue 17): the site keeps serving without the cache. Reads miss,
writes are dropped, and for 5 seconds after a failure Redis is not asked at all (no
connection attempt, and its timeout, per call). Sessions are cached_db, so they come
from the database. `incr` (only the public forms' rate limits use it) answers a count
above any limit: the limits fail closed (the form refuses, with its Chinese message)
rather than open.
"""

import logging
import sys
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("gongkai.cache")
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
PAUSE_SECONDS = 5.0  # after a failure, Redis is left alone this long
COUNT_WHEN_DOWN = sys.maxsize  # incr while Redis is down: over every limit (fail closed)


class _SharedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    """settings.CACHES backend "gongkai.rediscache.RedisCache" (REDIS_URL)."""

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**_TIMEOUTS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._class = _SharedClient
        self._down_until = 0.0

    def _available(self):
        return time.monotonic() >= self._down_until

    def _failed(self, error):
        if self._available():
            log.warning("Redis 缓存不可用，暂时不用缓存：%s", error)
        self._down_until = time.monotonic() + PAUSE_SECONDS

    def get(self, key, default=None, version=None):
        return self._guard(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guard(super().has_key, False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set_many, list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().add, False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._guard(super().delete_many, None, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._guard(super().incr, COUNT_WHEN_DOWN, key, delta, version)

    def clear(self):
        return self._guard(super().clear, False)

    def _guard(self, method, fallback, *args):
        if not self._available():
            return fallback
        try:
            return method(*args)
        except UNAVAILABLE as error:
            self._failed(error)
            return fallback


# A Redis that does not answer costs a request at most this long per call (seconds),
# then the pause above.
_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 2.0}
