"""Development on a laptop: DEBUG on, SQLite and eager Celery unless the environment says otherwise."""

from .base import *  # noqa: F403 -- settings modules extend the base by design

DEBUG = env.bool("DEBUG", default=True)  # noqa: F405
