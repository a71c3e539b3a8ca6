"""Pages for evidence, mounted under /t/<trust_slug>/."""

from django.urls import path

from reviews.views import evidence as views

urlpatterns = [
    path("evidence/", views.evidence_list, name="evidence-list"),
    path("evidence/new/", views.evidence_create, name="evidence-create"),
    path("evidence/<uuid:evidence_uuid>/", views.evidence_detail, name="evidence-detail"),
    path("evidence/<uuid:evidence_uuid>/edit/", views.evidence_edit, name="evidence-edit"),
    path("evidence/<uuid:evidence_uuid>/delete/", views.evidence_delete, name="evidence-delete"),
    path("evidence/<uuid:evidence_uuid>/download/", views.evidence_download, name="evidence-download"),
]
