"""Schools API, mounted under /api/v1/t/<trust_slug>/; each module owns its own patterns."""

from schools.api.imports import urlpatterns as import_urls
from schools.api.schools import urlpatterns as school_urls

urlpatterns = [*school_urls, *import_urls]
