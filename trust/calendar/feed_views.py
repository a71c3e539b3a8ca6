"""The feed settings page (under /t/<trust_slug>/) and the public .ics feed (the token is the credential)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_scopes import scope

from trust.calendar.feeds import calendar_feed_create, calendar_feed_revoke, feed_by_token, feed_ical, live_feed_of
from trust.decorators import trust_view
from trust.permissions import Action, can
from trust.selectors import membership_for


def _feed_page(request: HttpRequest, *, new_url: str | None = None) -> HttpResponse:
    context = {"feed": live_feed_of(user=request.user, trust=request.trust), "new_url": new_url}
    if new_url:
        context["webcal_url"] = "webcal://" + new_url.split("://", 1)[-1]
    return render(request, "trust/calendar/feed.html", context)


@trust_view(Action.USE_CALENDAR_FEED)
def calendar_feed(request: HttpRequest) -> HttpResponse:
    return _feed_page(request)


@require_POST
@trust_view(Action.USE_CALENDAR_FEED)
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    # The new address is shown once, on this response: only its hash is stored.
    _, raw = calendar_feed_create(user=request.user, trust=request.trust)
    path = reverse("calendar-feed-ics", kwargs={"feed_token": raw})
    messages.success(request, "Your calendar feed address is ready. Any older address no longer works.")
    return _feed_page(request, new_url=settings.SITE_URL.rstrip("/") + path)


@require_POST
@trust_view(Action.USE_CALENDAR_FEED)
def calendar_feed_revoke_view(request: HttpRequest) -> HttpResponse:
    if calendar_feed_revoke(user=request.user, trust=request.trust):
        messages.success(request, "Your calendar feed is turned off: calendar apps can no longer read it.")
    else:
        messages.info(request, "You had no calendar feed to turn off.")
    return redirect("calendar-feed", trust_slug=request.trust.slug)


@require_safe
def calendar_feed_ics(request: HttpRequest, feed_token: str) -> HttpResponse:
    """The public feed: unknown or revoked tokens, and people no longer members, get 404."""
    feed = feed_by_token(feed_token)
    if feed is None:
        raise Http404
    with scope(trust=feed.trust_id):
        membership = membership_for(feed.user, feed.trust)
        if membership is None or not can(membership, Action.USE_CALENDAR_FEED):
            raise Http404
        body = feed_ical(membership)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="trustwide.ics"'
    # The URL is a secret: keep it out of shared caches and referrers.
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
