"""Joining the trust: prospective schools, due diligence, ratification, induction. Under /t/<trust_slug>/."""

urlpatterns: list = []
