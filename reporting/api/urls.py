"""Accountability API, mounted under /api/v1/t/<trust_slug>/."""

from reporting.api.board_packs import urlpatterns as board_pack_urls
from reporting.api.dashboard import urlpatterns as dashboard_urls
from reporting.api.snapshots import urlpatterns as snapshot_urls

urlpatterns = [*dashboard_urls, *snapshot_urls, *board_pack_urls]
