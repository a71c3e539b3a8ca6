"""Scale pages, mounted under /t/<trust_slug>/."""

from django.urls import path

from trust.scales import views

urlpatterns = [
    path("scale/", views.scale_detail, name="scale-detail"),
    path("scale/choose/", views.scale_choose, name="scale-choose"),
    path("scale/levels/<uuid:level_uuid>/edit/", views.level_edit, name="scale-level-edit"),
]
