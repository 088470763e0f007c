"""Django's Redis cache backend, with one redis-py client per connection pool.

Django's RedisCacheClient makes a new redis.Redis for every cache call, and redis-py's
constructor builds its table of about 170 response callbacks each time: on the
portal that was a third of the cost of serving a cached page. A redis.Redis is safe
to share between threads (it takes a connection from its pool for each command and
gives it back), so each pool gets one client, made on first use.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


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
        super().__init__(server, params)
        self._class = _SharedClient
