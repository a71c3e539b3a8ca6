from django.urls import path

from schools import views

# Mounted under /t/<trust_slug>/.
urlpatterns = [
    path("schools/", views.school_list, name="school-list"),
    path("schools/<uuid:school_uuid>/", views.school_detail, name="school-detail"),
]
