"""Public iCalendar feed URLs (the token is the credential), mounted at the site root."""

from django.urls import path

from trust.calendar import feed_views

urlpatterns = [
    # The parameter is `feed_token`, not `token`, so it cannot be confused with an invitation's token.
    path("calendar/<str:feed_token>.ics", feed_views.calendar_feed_ics, name="calendar-feed-ics"),
]
