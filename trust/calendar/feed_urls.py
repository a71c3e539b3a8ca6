"""Public iCalendar feed URLs (the token is the credential), mounted at the site root."""

urlpatterns: list = []
