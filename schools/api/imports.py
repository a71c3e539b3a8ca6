"""API for import uploads: upload, preview, confirm, status and report."""

urlpatterns: list = []
