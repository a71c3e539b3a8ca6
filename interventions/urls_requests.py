"""Pages for support requests, mounted under /t/<trust_slug>/."""

from django.urls import path

from interventions.views import requests as views

urlpatterns = [
    path("support-requests/", views.request_list, name="request-list"),
    path("support-requests/new/", views.request_create, name="request-create"),
    path("support-requests/<uuid:support_request_uuid>/decline/", views.request_decline, name="request-decline"),
]
