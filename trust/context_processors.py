from typing import Any

from django.http import HttpRequest

from trust.permissions import allowed_actions
from trust.selectors import memberships_of_user


def acting_as(request: HttpRequest) -> dict[str, Any]:
    """The trust and role the person is acting as, and what that role may do."""
    membership = getattr(request, "membership", None)
    context: dict[str, Any] = {
        "current_trust": getattr(request, "trust", None),
        "current_membership": membership,
        "can": allowed_actions(membership),
    }
    if membership is not None:
        context["has_other_trusts"] = len(memberships_of_user(request.user)) > 1
    return context
