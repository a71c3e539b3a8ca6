"""API for schools, inspections and measure values."""

urlpatterns: list = []
