"""Settings for the Celery workers the reliability tests start: the test settings, with the test's media folder."""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403

# The test reads back the PDFs the worker stores, so both use the test's temporary folder.
MEDIA_ROOT = Path(os.environ["RELIABILITY_MEDIA_ROOT"])
