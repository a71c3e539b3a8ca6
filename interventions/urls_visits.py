"""Pages for visits and the calendar, mounted under /t/<trust_slug>/."""

from django.urls import path

from interventions.views import visits as views

urlpatterns = [
    path("calendar/", views.calendar_month, name="calendar-month"),
    path("calendar/week/", views.calendar_week, name="calendar-week"),
    path("calendar/trust-events/", views.calendar_events_create, name="calendar-events-create"),
    path("visits/mine/", views.visit_mine, name="visit-mine"),
    path("visits/summary/", views.visit_summary, name="visit-summary"),
    path("visits/load/", views.visit_load, name="visit-load"),
    path("visits/new/", views.visit_add_view, name="visit-add"),
    path("visits/<uuid:activity_uuid>/", views.visit_detail, name="visit-detail"),
    path("visits/<uuid:activity_uuid>/record/", views.visit_record_view, name="visit-record"),
    path("visits/<uuid:activity_uuid>/edit/", views.visit_edit, name="visit-edit"),
    path("schools/<uuid:school_uuid>/visits/", views.visit_school, name="visit-school"),
]
