"""Private pages are not kept: a shared ward computer's browser (or a proxy) must not hold
patient data in its cache after the person signs out (issue 19, point 10).

Every response to a signed-in person, and every download whoever asks for it (a PDF, CSV,
ODM or casebook: a response with a Content-Disposition, or a file response), carries
`Cache-Control: no-store` (with Django's never-cache headers: no-cache, must-revalidate,
private, max-age=0, and an Expires in the past). One middleware, so that a page added later
is covered without thinking about it."""

from django.http import FileResponse
from django.utils.cache import add_never_cache_headers


def is_download(response) -> bool:
    return isinstance(response, FileResponse) or response.has_header("Content-Disposition")


def must_not_be_stored(request, response) -> bool:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return signed_in or is_download(response)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if must_not_be_stored(request, response):
            # replace whatever a view said (a cached chart, a public page): private wins
            if response.has_header("Cache-Control"):
                del response["Cache-Control"]
            add_never_cache_headers(response)
        return response
