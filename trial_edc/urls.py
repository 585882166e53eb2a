from django.conf import settings
from django.urls import include, path

from trial_edc.core.health import health

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("trial_edc.accounts.urls")),
    path("", include("enrollment.urls")),
    path("", include("dosing.urls")),
    path("", include("safety.urls")),
    path("", include("efficacy.urls")),
    path("", include("datamanagement.urls")),
    path("", include("trial_edc.notifications.urls")),
    # the read API (datamanagement/api): schema, docs, personal tokens, /api/v1/
    path("", include("datamanagement.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # without signing in: 200 or 503 (the compose healthcheck, a load balancer)
    path("health/", health, name="health"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
