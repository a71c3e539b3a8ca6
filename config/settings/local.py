"""Development on a laptop: DEBUG on, SQLite and eager Celery unless the environment says otherwise."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
