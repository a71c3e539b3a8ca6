"""Pages for register, mounted under /t/<trust_slug>/."""

from django.urls import path

from interventions.views import register as views

urlpatterns = [
    path("register/", views.register_list_page, name="register-list"),
    path("register/new/", views.register_add, name="register-add"),
    path("register/find-support/", views.register_broker, name="register-broker"),
    path("register/<uuid:expert_uuid>/", views.register_detail, name="register-detail"),
    path("register/<uuid:expert_uuid>/edit/", views.register_edit, name="register-edit"),
    path("register/<uuid:expert_uuid>/deactivate/", views.register_deactivate, name="register-deactivate"),
]
