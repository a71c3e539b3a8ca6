# Trustwide: one image for the web, worker and beat processes (docker-compose.yml, docs/deploy.md).
# Debian 12 (bookworm), the same system the project is developed and tested on.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PRIVATE_MEDIA_ROOT=/data/private-media

# What WeasyPrint needs at run time with the pip wheels (its "First steps" page, Debian >= 11):
# Pango and PangoFT2 (which bring HarfBuzz, fontconfig and FreeType), HarfBuzz's subsetter for
# small embedded fonts, and a sans font the PDF and SVG styles name (DejaVu Sans).
# shared-mime-info lets it guess the types of the static images it reads.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fontconfig \
        fonts-dejavu-core \
        shared-mime-info \
    && rm -rf /var/lib/apt/lists/*

# The app runs as this user; it owns only the private files, never the code.
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /home/app --create-home --shell /usr/sbin/nologin app \
    && mkdir -p /data/private-media \
    && chown app:app /data/private-media

WORKDIR /app

# Requirements first, so a code change does not reinstall them. Only the runtime set:
# no test or lint tools in the image.
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-compile -r requirements/base.txt

COPY . .

# Static files are collected into the image and served by WhiteNoise. The production settings
# insist on a secret key, hosts and a database; these placeholders exist only for this step and
# are not in the final environment (collectstatic touches neither the key nor the database).
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3

USER app

EXPOSE 8000

# /healthz answers 200 when the database answers. The request carries the first allowed host and
# says it came through the TLS proxy, as real requests do, so host checking and the HTTPS redirect
# of the production settings answer it like any other request.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; host = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); host = 'localhost' if host in ('', '*') else host; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host, 'X-Forwarded-Proto': 'https'}), timeout=4)"]

# Sync workers (docs/performance.md): 2 per core is the usual start; the worker and beat services
# override this command. Migrations are a separate, explicit step (docs/deploy.md).
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60", "--access-logfile", "-"]
