"""API for requests, mounted under /api/v1/t/<trust_slug>/."""

urlpatterns: list = []
