"""Pages for evidence, mounted under /t/<trust_slug>/."""

urlpatterns: list = []
