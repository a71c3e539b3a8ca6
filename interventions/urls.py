"""Support pages, mounted under /t/<trust_slug>/; each sub-domain owns its patterns."""

from interventions.urls_interventions import urlpatterns as intervention_urls
from interventions.urls_plans import urlpatterns as plan_urls
from interventions.urls_register import urlpatterns as register_urls
from interventions.urls_requests import urlpatterns as request_urls
from interventions.urls_visits import urlpatterns as visit_urls

urlpatterns = [*register_urls, *intervention_urls, *plan_urls, *request_urls, *visit_urls]
