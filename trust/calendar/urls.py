"""Calendar settings pages, mounted under /t/<trust_slug>/."""

urlpatterns: list = []
