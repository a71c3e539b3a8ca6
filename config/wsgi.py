import os

from django.core.wsgi import get_wsgi_application

from config.garbage_collection import tune_for_requests

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()
tune_for_requests()
