"""Pages for interventions, mounted under /t/<trust_slug>/."""

from django.urls import path

from interventions.views import interventions as views

urlpatterns = [
    path("interventions/", views.intervention_list_page, name="intervention-list"),
    path("interventions/mine/", views.intervention_mine, name="intervention-mine"),
    path("interventions/new/", views.intervention_commission_page, name="intervention-commission"),
    path("interventions/<uuid:intervention_uuid>/", views.intervention_detail_page, name="intervention-detail"),
    path(
        "interventions/<uuid:intervention_uuid>/transition/",
        views.intervention_transition_page,
        name="intervention-transition",
    ),
    path("interventions/<uuid:intervention_uuid>/close/", views.intervention_close_page, name="intervention-close"),
    path(
        "interventions/<uuid:intervention_uuid>/checkpoints/<uuid:checkpoint_uuid>/",
        views.intervention_checkpoint_page,
        name="intervention-checkpoint",
    ),
]
