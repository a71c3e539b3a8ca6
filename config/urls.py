from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.views import healthz
from trust import api as trust_api
from trust import views as trust_views
from trust import views_security
from trust.forms import SignInForm

# The API docs page (Swagger UI from the sidecar). The "split" view loads its start-up script from
# a URL instead of inline, so script-src stays 'self'. Its template has one small <style> block
# (box-sizing, background): that block alone is allowed, by hash, on this page only; the global
# policy is untouched. tests/core/test_csp.py fails if a drf-spectacular upgrade changes the block.
SWAGGER_UI_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="api-schema")
api_docs = csp_update({"style-src": [SWAGGER_UI_STYLE_HASH]})(swagger_ui)

api_trust_patterns = [
    path("members/", trust_api.MemberListView.as_view(), name="api-member-list"),
    path("members/<uuid:member_uuid>/", trust_api.MemberDetailView.as_view(), name="api-member-detail"),
    path("", include("schools.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("trust.scales.api")),
    path("", include("interventions.api.urls")),
    path("", include("trust.calendar.api")),
    path("", include("reporting.api.urls")),
    path("", include("trust.api_audit")),
]

urlpatterns = [
    path("", trust_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/confirm-password/", views_security.password_confirm, name="password-confirm"),
    path("accounts/two-factor/", views_security.two_factor_overview, name="two-factor"),
    path("accounts/two-factor/set-up/", views_security.two_factor_enrol, name="two-factor-enrol"),
    path("accounts/two-factor/verify/", views_security.two_factor_verify, name="two-factor-verify"),
    path(
        "accounts/two-factor/recovery-codes/",
        views_security.two_factor_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path("accounts/two-factor/turn-off/", views_security.two_factor_disable, name="two-factor-disable"),
    path("trusts/", trust_views.trust_picker, name="trust-picker"),
    path("invitations/<str:token>/", trust_views.invitation_accept, name="invitation-accept"),
    path("t/<slug:trust_slug>/", include("trust.urls")),
    path("t/<slug:trust_slug>/", include("schools.urls")),
    path("t/<slug:trust_slug>/", include("reviews.urls")),
    path("t/<slug:trust_slug>/", include("trust.scales.urls")),
    path("t/<slug:trust_slug>/", include("interventions.urls")),
    path("t/<slug:trust_slug>/", include("trust.calendar.urls")),
    path("t/<slug:trust_slug>/", include("trust.calendar.feed_pages")),
    path("t/<slug:trust_slug>/", include("reporting.urls")),
    path("t/<slug:trust_slug>/", include("trust.urls_audit")),
    path("", include("trust.calendar.feed_urls")),
    path("api/v1/me/", trust_api.MeView.as_view(), name="api-me"),
    path("api/v1/t/<slug:trust_slug>/", include(api_trust_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("admin/", admin.site.urls),
]
