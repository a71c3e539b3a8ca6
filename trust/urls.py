from django.urls import path

from trust import views, views_security

# Mounted under /t/<trust_slug>/.
urlpatterns = [
    path("", views.trust_home, name="trust-home"),
    path("members/", views.member_list, name="member-list"),
    path("members/invite/", views.member_invite, name="member-invite"),
    path("members/<uuid:member_uuid>/", views.member_edit, name="member-edit"),
    path("members/<uuid:member_uuid>/remove/", views.member_remove, name="member-remove"),
    path("invitations/<uuid:invitation_uuid>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("api-tokens/", views.api_token_list, name="api-token-list"),
    path("api-tokens/<uuid:token_uuid>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("security/", views_security.trust_security, name="trust-security"),
    path(
        "security/unlock/<uuid:member_uuid>/",
        views_security.trust_security_unlock,
        name="trust-security-unlock",
    ),
]
