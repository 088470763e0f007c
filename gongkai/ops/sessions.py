"""Sessions kept in the database and the cache (Django's cached_db), for less work per new
session (settings.SESSION_ENGINE).

Sessions survive a cache restart (issue 17): each is written to the database, and read
from the cache when it is there. Django's cached_db store does more round trips than that
needs when it starts a session, and an online application starts one for its receipt
(on the busiest public form): it asks the cache and then the database whether a random
new key exists, wraps the one INSERT in a transaction of its own, and writes the cache
twice. Here a new key is not looked up (32 random characters: the database's unique key
refuses the one-in-2^165 repeat, and the store then draws another, as Django does), a
single statement runs without a transaction of its own unless the caller has one open
(one statement is atomic by itself), and the cache is written once. 3 database and 2
cache round trips fewer per new session; the stored rows are the same.
"""

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils.crypto import get_random_string


class SessionStore(cached_db.SessionStore):
    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()  # create() calls save(must_create=True)
        data = self._get_session(no_load=must_create)
        obj = self.create_model_instance(data)
        using = router.db_for_write(self.model, instance=obj)
        try:
            if connections[using].in_atomic_block:  # keep the caller's transaction usable
                with transaction.atomic(using=using):
                    obj.save(force_insert=must_create, force_update=not must_create, using=using)
            else:
                obj.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception:  # noqa: BLE001 - as Django's cached_db: the database has it
            cached_db.logger.exception("Error saving to cache (%s)", self._cache)
