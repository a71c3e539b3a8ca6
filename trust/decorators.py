from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from trust.permissions import Action, can

View = Callable[..., HttpResponse]


def trust_view(action: Action) -> Callable[[View], View]:
    """A page under /t/<trust_slug>/: signed in, a member (else 404), allowed `action` (else 403)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, trust_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Http404
            if not can(membership, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
