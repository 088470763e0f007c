import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
django_application = get_wsgi_application()

# Stored portal pages are answered before Django's handler (needs the settings loaded).
from gongkai.portal.pagecache import StoredPages  # noqa: E402

application = StoredPages(django_application)
