"""Board packs: the list, generating one, its progress, download and retry."""

from django.urls import path

from reporting.views import board_packs as views

urlpatterns = [
    path("board-packs/", views.board_pack_list, name="board-pack-list"),
    path("board-packs/generate/", views.board_pack_generate, name="board-pack-generate"),
    path("board-packs/<uuid:pack_uuid>/", views.board_pack_detail, name="board-pack-detail"),
    path("board-packs/<uuid:pack_uuid>/progress/", views.board_pack_progress, name="board-pack-progress"),
    path("board-packs/<uuid:pack_uuid>/download/", views.board_pack_download, name="board-pack-download"),
    path("board-packs/<uuid:pack_uuid>/retry/", views.board_pack_retry, name="board-pack-retry"),
]
