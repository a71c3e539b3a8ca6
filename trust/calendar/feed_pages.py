"""The calendar feed settings page; include under /t/<trust_slug>/ (e.g. from config/urls.py)."""

from django.urls import path

from trust.calendar import feed_views

urlpatterns = [
    path("calendar/feed/", feed_views.calendar_feed, name="calendar-feed"),
    path("calendar/feed/regenerate/", feed_views.calendar_feed_regenerate, name="calendar-feed-regenerate"),
    path("calendar/feed/revoke/", feed_views.calendar_feed_revoke_view, name="calendar-feed-revoke"),
]
