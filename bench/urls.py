"""The app's URLs plus the benchmark's floor page (bench/floor.py), for bench/settings*.py only."""

from django.urls import path

from bench import floor
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("t/<slug:trust_slug>/bench-floor/schools/", floor.school_list, name="bench-floor-schools"),
    *app_urlpatterns,
]
