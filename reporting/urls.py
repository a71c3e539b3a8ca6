"""Accountability pages, mounted under /t/<trust_slug>/; each part owns its patterns."""

from reporting.urls_board_packs import urlpatterns as board_pack_urls
from reporting.urls_dashboard import urlpatterns as dashboard_urls
from reporting.urls_snapshots import urlpatterns as snapshot_urls

urlpatterns = [*dashboard_urls, *snapshot_urls, *board_pack_urls]
