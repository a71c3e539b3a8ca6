"""Judgement API, mounted under /api/v1/t/<trust_slug>/."""

from reviews.api.evidence import urlpatterns as evidence_urls
from reviews.api.ratings import urlpatterns as rating_urls
from reviews.api.reviews import urlpatterns as review_urls
from reviews.api.sef import urlpatterns as sef_urls

urlpatterns = [*evidence_urls, *sef_urls, *review_urls, *rating_urls]
