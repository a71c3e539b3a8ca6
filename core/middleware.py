"""Requests the database could never store are refused before any view sees them."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL_MESSAGE = "The address contains a NUL character, which no search or filter can use."


class RefuseNulInQueryMiddleware:
    """A NUL in a query parameter reaches PostgreSQL as a filter and fails there (a 500 on PostgreSQL
    only). Form and API fields already refuse NUL (Django's and DRF's CharField validators); query
    strings have no such check, so it is done once here: 400 with a plain message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            if request.path.startswith("/api/"):
                return JsonResponse({"message": NUL_MESSAGE, "extra": {}}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
