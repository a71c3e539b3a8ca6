"""Pages for ratings, mounted under /t/<trust_slug>/."""

from django.urls import path

from reviews.views import ratings as views

urlpatterns = [
    path("schools/<uuid:school_uuid>/rating/", views.rating_school, name="rating-school"),
    path("ratings/overstays/", views.rating_overstays, name="rating-overstays"),
]
