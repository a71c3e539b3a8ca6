"""Response headers and request limits every environment has (production adds HSTS and secure cookies).

The same policy runs in development, tests and browser tests, so a page that breaks under it
breaks where it is written, not first in production.
"""

from csp.constants import NONE, SELF

# No inline script anywhere: behaviour lives in static/js/*.js (templates use data-attributes),
# so an injected <script> or on*= attribute never runs. No inline styles either: a `style=`
# attribute or <style> block is refused, and the few computed widths are set by static/js/app.js.
# data: images are allowed for Bootstrap's inline SVG icons (the navbar toggler, form checks).
# The API docs page alone relaxes this (see config/urls.py), rather than weakening it for all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Request limits, checked by Django's parser before any view or storage sees the files: no form
# takes more than a handful (a GIAS import is at most three CSVs), so a post with more is refused
# with templates/400.html rather than spooled to disk.
DATA_UPLOAD_MAX_NUMBER_FILES = 10
