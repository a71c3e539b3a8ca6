"""Pages for sef, mounted under /t/<trust_slug>/."""

urlpatterns: list = []
