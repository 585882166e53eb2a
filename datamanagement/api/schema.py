"""The personal token in the OpenAPI schema (`Authorization: Token <token>`); imported by the
API's URLs so that drf-spectacular knows it."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class ApiTokenScheme(KnoxTokenScheme):
    target_class = "datamanagement.api.authentication.ApiTokenAuthentication"
    name = "apiToken"
