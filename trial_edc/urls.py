from django.conf import settings
from django.urls import include, path

from trial_edc.audit import views as audit_views

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("trial_edc.accounts.urls")),
    path("", include("enrollment.urls")),
    path("", include("dosing.urls")),
    path("", include("safety.urls")),
    path("", include("efficacy.urls")),
    path("", include("trial_edc.notifications.urls")),
    path(
        "audit/<str:app_label>/<str:model_name>/<int:pk>/",
        audit_views.record_audit,
        name="record_audit",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
