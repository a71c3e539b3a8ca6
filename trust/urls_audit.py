from django.urls import path

from trust import views_audit

# Mounted under /t/<trust_slug>/.
urlpatterns = [
    path("audit/", views_audit.audit_log, name="audit-log"),
]
