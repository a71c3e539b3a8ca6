"""Pages for reviews, mounted under /t/<trust_slug>/."""

urlpatterns: list = []
