"""Pages for plans, mounted under /t/<trust_slug>/."""

urlpatterns: list = []
