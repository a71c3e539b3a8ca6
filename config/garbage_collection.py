"""The garbage collector tuned for a long-running web process (called by config/wsgi.py).

A full collection walks every object the process holds, and a Django process holds a few hundred
thousand before its first request (modules, models, URL patterns, templates). A page that builds a
large document (the 120-school dashboard makes tens of thousands of objects) set off such a
collection every few requests, adding about 100 ms to one request in three. So, once the
application is loaded:
- what exists now is frozen (`gc.freeze()`): it lives as long as the process and is never walked again;
- the youngest generation is collected after 50,000 new container objects rather than 700, so a
  request is not interrupted dozens of times to find cycles it has not finished making.
Python's documentation recommends the freeze for servers that load everything at start-up.
"""

import gc

YOUNGEST_GENERATION_THRESHOLD = 50_000


def tune_for_requests() -> None:
    """Load the URL patterns (and so every view), then freeze what is loaded and raise the first threshold."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- imported for its side effect: every view module loaded
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_GENERATION_THRESHOLD, middle, oldest)
