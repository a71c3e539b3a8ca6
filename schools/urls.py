from django.urls import path

from schools.urls_imports import urlpatterns as import_urls
from schools.urls_joining import urlpatterns as joining_urls
from schools.views import schools as views

# Mounted under /t/<trust_slug>/.
urlpatterns = [
    path("schools/", views.school_list, name="school-list"),
    path("schools/<uuid:school_uuid>/", views.school_detail, name="school-detail"),
    *import_urls,
    *joining_urls,
]
