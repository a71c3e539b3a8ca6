from django.urls import path

from schools.urls_imports import urlpatterns as import_urls
from schools.urls_joining import urlpatterns as joining_urls
from schools.views import schools as views

# Mounted under /t/<trust_slug>/.
urlpatterns = [
    path("schools/", views.school_list, name="school-list"),
    path("schools/radar/", views.inspection_radar_page, name="inspection-radar"),
    path("schools/<uuid:school_uuid>/", views.school_detail, name="school-detail"),
    path("schools/<uuid:school_uuid>/inspections/new/", views.inspection_add, name="inspection-add"),
    path(
        "schools/<uuid:school_uuid>/inspections/<uuid:inspection_uuid>/", views.inspection_edit, name="inspection-edit"
    ),
    path("schools/<uuid:school_uuid>/attendance/", views.attendance_enter, name="school-attendance"),
    path("schools/<uuid:school_uuid>/predictions/", views.predictions, name="school-predictions"),
    path(
        "schools/<uuid:school_uuid>/predictions/template.<str:fmt>",
        views.predictions_template,
        name="school-predictions-template",
    ),
    path("schools/<uuid:school_uuid>/predictions/upload/", views.predictions_upload, name="school-predictions-upload"),
    *import_urls,
    *joining_urls,
]
