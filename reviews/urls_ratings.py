"""Pages for ratings, mounted under /t/<trust_slug>/."""

urlpatterns: list = []
