"""Pages for improvement plans, mounted under /t/<trust_slug>/."""

from django.urls import path

from interventions.views import plans as views

urlpatterns = [
    path("schools/<uuid:school_uuid>/plan/", views.plan_school, name="plan-school"),
    path("schools/<uuid:school_uuid>/plan/start/", views.plan_start, name="plan-start"),
    path("plans/health/", views.plan_health_page, name="plan-health"),
    path("plans/<uuid:plan_uuid>/priorities/add/", views.priority_add, name="plan-priority-add"),
    path("plans/<uuid:plan_uuid>/updates/add/", views.update_add, name="plan-update-add"),
    path("plans/<uuid:plan_uuid>/comments/add/", views.comment_add, name="plan-comment-add"),
    path("plans/<uuid:plan_uuid>/agree/", views.plan_agree, name="plan-agree"),
    path("plans/priorities/<uuid:priority_uuid>/", views.priority_edit, name="plan-priority-edit"),
    path("plans/priorities/<uuid:priority_uuid>/remove/", views.priority_remove, name="plan-priority-remove"),
    path("plans/priorities/<uuid:priority_uuid>/actions/add/", views.action_add, name="plan-action-add"),
    path("plans/actions/<uuid:action_uuid>/", views.action_edit, name="plan-action-edit"),
]
