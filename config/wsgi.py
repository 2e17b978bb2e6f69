"""The WSGI application gunicorn serves (scripts/serve), loaded once in each of its workers.

Every view module is imported here, not by the worker's first requests; then what is loaded by now — about 215 000
objects that live as long as the process — is left out of the garbage collector's passes (``gc.freeze``). Otherwise
each full pass walked them all, holding the interpreter while every thread of the worker waited: measured with
writes going on, 8 passes a minute of 450–520 ms each (p50), now 48–93 ms (docs/performance.md, "Sixth pass")."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every app's urls and views
gc.freeze()
