"""Import pages (GIAS, Ofsted, DfE performance), mounted under /t/<trust_slug>/."""

urlpatterns: list = []
