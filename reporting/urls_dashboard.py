"""The trust dashboard, its drill-downs and the one-page school summary."""

from django.urls import path

from reporting.views import dashboard as views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:tile>/", views.dashboard_tile, name="dashboard-tile"),
    path("schools/<uuid:school_uuid>/summary/", views.school_summary, name="school-summary"),
]
