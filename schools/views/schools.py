from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from schools.selectors import schools_visible_to
from trust.decorators import trust_view
from trust.permissions import Action


@trust_view(Action.VIEW_SCHOOLS)
def school_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(schools_visible_to(request.membership), 50).get_page(request.GET.get("page"))
    return render(request, "schools/school_list.html", {"page": page})


@trust_view(Action.VIEW_SCHOOLS)
def school_detail(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    # Another school, for a school-level role, is simply not there: 404.
    school = get_object_or_404(schools_visible_to(request.membership), uuid=school_uuid)
    return render(request, "schools/school_detail.html", {"school": school})
