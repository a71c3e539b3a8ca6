"""Calendar API, mounted under /api/v1/t/<trust_slug>/."""

urlpatterns: list = []
