"""Pages for reviews, the judgement grid, moderation and the heat map, mounted under /t/<trust_slug>/."""

from django.urls import path

from reviews.views import reviews as views

urlpatterns = [
    path("reviews/", views.review_list_page, name="review-list"),
    path("reviews/new/", views.review_add, name="review-add"),
    path("reviews/trust-inspections-due/", views.inspections_due, name="review-due"),
    path("reviews/<uuid:review_uuid>/", views.review_detail, name="review-detail"),
    path("reviews/<uuid:review_uuid>/edit/", views.review_edit, name="review-edit"),
    path("schools/<uuid:school_uuid>/reviews/", views.school_reviews, name="review-school"),
    path("schools/<uuid:school_uuid>/judgements/", views.judgement_grid, name="review-grid"),
    path(
        "schools/<uuid:school_uuid>/judgements/<uuid:judgement_area_uuid>/moderate/",
        views.moderation_add,
        name="review-moderate",
    ),
    path("judgements/heat-map/", views.heat_map_page, name="review-heat-map"),
]
