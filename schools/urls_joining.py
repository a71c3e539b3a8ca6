"""Joining the trust: prospective schools, due diligence, ratification, induction. Under /t/<trust_slug>/."""

from django.urls import path

from schools.views import joining as views

urlpatterns = [
    path("joining/", views.joining_home, name="joining-home"),
    path("joining/add/", views.prospective_school_add, name="joining-school-add"),
    path("joining/reports/<uuid:report_uuid>/", views.report_detail, name="joining-report"),
    path("joining/reports/<uuid:report_uuid>/edit/", views.report_edit, name="joining-report-edit"),
    path("joining/reports/<uuid:report_uuid>/pdf/", views.report_pdf, name="joining-report-pdf"),
    path("joining/reports/<uuid:report_uuid>/ratify/", views.report_ratify, name="joining-report-ratify"),
    path("joining/schools/<uuid:joining_school_uuid>/induction/", views.induction, name="joining-induction"),
    path(
        "joining/induction/<uuid:induction_item_uuid>/complete/",
        views.induction_item_complete,
        name="joining-induction-complete",
    ),
    path(
        "joining/induction/<uuid:induction_item_uuid>/reopen/",
        views.induction_item_reopen,
        name="joining-induction-reopen",
    ),
]
