"""Frozen half-term snapshots of the dashboard."""

from django.urls import path

from reporting.views import snapshots as views

urlpatterns = [
    path("snapshots/", views.snapshot_list, name="snapshot-list"),
    path("snapshots/take/", views.snapshot_take, name="snapshot-take"),
    path("snapshots/<uuid:snapshot_uuid>/", views.snapshot_detail, name="snapshot-detail"),
]
