"""Django's PostgreSQL backend with a health check that costs no round trip.

settings.DATABASES has CONN_HEALTH_CHECKS on (issue 17): a kept connection is checked
before a request reuses it, so that after a database restart the next request
reconnects instead of failing. Django's check is a `SELECT 1`, a round trip to the
server on every request that reads the database (each portal page not in the page
cache), about a twentieth of such a page's CPU in the server and PostgreSQL together.

A connection idle between requests receives nothing unless something happened to it:
a server that restarts, is shut down, or terminates the backend (pg_terminate_backend,
idle_session_timeout) sends an error and closes the socket; a proxy or load balancer
that drops it closes the socket. Either way the socket becomes readable. So: a socket
with nothing to read is usable without asking the server; anything to read (or an
error looking) and Django's `SELECT 1` decides, as before. A peer that vanishes without
closing (a cut cable) is not seen by either check until TCP gives up; the query then
fails and Django closes the connection at the end of that request, as before.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None:
            return False
        if not self.connection.closed and _idle(self.connection):
            return True
        return super().is_usable()


_WATCHED = getattr(select, "POLLIN", 0) | getattr(select, "POLLPRI", 0)


def _idle(connection):
    """Whether nothing has arrived on the connection's socket (no message waits, no
    end of stream, no error): then it is usable as it was after its last query."""
    if not hasattr(select, "poll"):  # pragma: no cover - not on Linux or macOS
        return False
    try:
        poll = select.poll()
        poll.register(connection.fileno(), _WATCHED)
        return not poll.poll(0)
    except (OSError, ValueError):
        return False
