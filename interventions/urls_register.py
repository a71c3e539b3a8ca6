"""Pages for register, mounted under /t/<trust_slug>/."""

urlpatterns: list = []
