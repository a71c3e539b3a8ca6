"""Pages for visits, mounted under /t/<trust_slug>/."""

urlpatterns: list = []
