"""Calendar settings pages, mounted under /t/<trust_slug>/."""

from django.urls import path

from trust.calendar import views

urlpatterns = [
    path("calendar/years/", views.year_list, name="calendar-year-list"),
    path("calendar/years/new/", views.year_create_default, name="calendar-year-create-default"),
    path("calendar/years/<uuid:year_uuid>/edit/", views.year_edit, name="calendar-year-edit"),
]
