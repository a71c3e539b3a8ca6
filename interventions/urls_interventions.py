"""Pages for interventions, mounted under /t/<trust_slug>/."""

urlpatterns: list = []
