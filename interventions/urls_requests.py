"""Pages for requests, mounted under /t/<trust_slug>/."""

urlpatterns: list = []
