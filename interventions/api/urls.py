"""Support API, mounted under /api/v1/t/<trust_slug>/."""

from interventions.api.interventions import urlpatterns as intervention_urls
from interventions.api.plans import urlpatterns as plan_urls
from interventions.api.register import urlpatterns as register_urls
from interventions.api.requests import urlpatterns as request_urls
from interventions.api.visits import urlpatterns as visit_urls

urlpatterns = [*register_urls, *intervention_urls, *plan_urls, *request_urls, *visit_urls]
