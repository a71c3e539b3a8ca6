"""Judgement pages, mounted under /t/<trust_slug>/; each sub-domain owns its patterns."""

from reviews.urls_evidence import urlpatterns as evidence_urls
from reviews.urls_ratings import urlpatterns as rating_urls
from reviews.urls_reviews import urlpatterns as review_urls
from reviews.urls_sef import urlpatterns as sef_urls

urlpatterns = [*evidence_urls, *sef_urls, *review_urls, *rating_urls]
