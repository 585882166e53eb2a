"""/api/: the schema, its docs page, the token page and the v1 endpoints (one per
`selectors.endpoints()` entry). The v1 endpoints and the schema authenticate the token
themselves (DRF), so the sign-in redirect of LoginRequiredMiddleware is off for them; the docs
and token pages are ordinary signed-in pages."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from datamanagement.api import schema, selectors, tokens  # noqa: F401 (schema: the token scheme)
from datamanagement.api.views import viewset_for

app_name = "api"

router = SimpleRouter()
for endpoint in selectors.endpoints():
    router.register(endpoint.path, viewset_for(endpoint), basename=endpoint.basename)

v1 = router.urls
for pattern in v1:
    pattern.callback.login_required = False

urlpatterns = [
    path("api/v1/", include(v1)),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="datamanagement/api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("api/tokens/", tokens.token_list, name="tokens"),
    path("api/tokens/revoke/", tokens.token_revoke, name="token_revoke"),
]
