"""Pages for self-evaluation, mounted under /t/<trust_slug>/."""

from django.urls import path

from reviews.views import sef as views

urlpatterns = [
    path("self-evaluation/", views.sef_list, name="sef-list"),
    path("self-evaluation/<uuid:school_uuid>/", views.sef_detail, name="sef-school"),
    path("self-evaluation/<uuid:school_uuid>/edit/", views.sef_edit, name="sef-edit"),
    path("self-evaluation/<uuid:school_uuid>/review/", views.sef_review, name="sef-review"),
]
