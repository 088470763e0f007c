import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
django_application = get_wsgi_application()

# Stored portal pages are answered before Django's handler (needs the settings loaded).
from django.conf import settings  # noqa: E402

from gongkai.portal.pagecache import StoredPages  # noqa: E402

TOO_LARGE = (
    '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>请求过大</title>'
    "<p>提交的内容超过了系统允许的大小，未被接收。请缩小文件后重试。</p></html>"
).encode()


class BodyLimit:
    """Refuses a request whose body is over `max_bytes` with 413 before reading it:
    by its Content-Length, and a chunked body (no length) by reading at most
    `max_bytes` + 1 bytes of it (granian has no body-size option; a reverse proxy
    should refuse it first, docs/security.md)."""

    def __init__(self, app, max_bytes):
        self.app = app
        self.max_bytes = max_bytes

    def __call__(self, environ, start_response):
        length = environ.get("CONTENT_LENGTH") or ""
        try:
            too_large = int(length) > self.max_bytes if length else False
        except ValueError:
            too_large = False
        if not too_large and not length and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", ""):
            body = environ["wsgi.input"].read(self.max_bytes + 1)
            too_large = len(body) > self.max_bytes
            if not too_large:
                import io

                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
        if too_large:
            start_response(
                "413 Content Too Large",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(TOO_LARGE))),
                    ("Connection", "close"),
                ],
            )
            return [TOO_LARGE]
        return self.app(environ, start_response)


application = BodyLimit(StoredPages(django_application), settings.REQUEST_MAX_BYTES)
