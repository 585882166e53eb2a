"""/api/: the schema, its docs page, the token page and the v1 endpoints (one per
`selectors.endpoints()` entry). The v1 endpoints and the schema authenticate the token
themselves (DRF marks its views login_not_required: 401 or 403, no sign-in redirect); the docs
and token pages are ordinary signed-in pages (LoginRequiredMiddleware sends anonymous visitors
to the sign-in page)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from datamanagement.api import schema, selectors, tokens  # noqa: F401 (schema: the token scheme)
from datamanagement.api.views import viewset_for

app_name = "api"

router = SimpleRouter(use_regex_path=False)  # path converters: <int:pk>
for endpoint in selectors.endpoints():
    router.register(endpoint.path, viewset_for(endpoint), basename=endpoint.basename)

docs = SpectacularSwaggerSplitView.as_view(
    url_name="api:schema", template_name="datamanagement/api/swagger_ui.html"
)
docs.login_required = True  # a page of the site: sign in first (DRF turned it off)

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", docs, name="docs"),
    path("api/tokens/", tokens.token_list, name="tokens"),
    path("api/tokens/revoke/", tokens.token_revoke, name="token_revoke"),
]
