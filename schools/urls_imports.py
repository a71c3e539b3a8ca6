"""Import pages (GIAS, Ofsted, DfE performance), mounted under /t/<trust_slug>/."""

from django.urls import path

from schools.views import imports as views

urlpatterns = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/new/<str:import_kind>/", views.import_new, name="import-new"),
    path("imports/<uuid:import_run_uuid>/", views.import_detail, name="import-detail"),
    path("imports/<uuid:import_run_uuid>/group/", views.import_group, name="import-group"),
    path("imports/<uuid:import_run_uuid>/progress/", views.import_progress_partial, name="import-progress"),
    path("imports/<uuid:import_run_uuid>/confirm/", views.import_confirm, name="import-confirm"),
    path("imports/<uuid:import_run_uuid>/cancel/", views.import_cancel, name="import-cancel"),
    path("imports/<uuid:import_run_uuid>/retry/", views.import_retry, name="import-retry"),
]
