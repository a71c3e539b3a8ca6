"""Academic calendar pages: the trust's years (calendar viewers), create the default and edit (executives)."""

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.academic import academic_year_for
from core.exceptions import ApplicationError
from core.exports import export_response
from trust.calendar import selectors, services
from trust.calendar.forms import CreateYearForm, EditYearForm
from trust.decorators import trust_view
from trust.permissions import Action


@trust_view(Action.VIEW_CALENDAR)
def year_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    years = selectors.academic_years_of(request.trust)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        # The same half-terms the page lists: the saved years, else this year's default dates.
        half_terms = (
            [ht for year in years for ht in year.half_terms.all()]
            if years
            else selectors.half_terms_of_year(request.trust, academic_year_for(today))
        )
        return export_response(
            headers=["Academic year", "Half-term", "Starts", "Ends"],
            rows=[
                [str(ht.academic_year), f"{ht.term} {2 - ht.number % 2}", ht.starts_on, ht.ends_on] for ht in half_terms
            ],
            filename=f"{request.trust.slug}-academic-years",
            fmt=fmt,
        )
    return render(
        request,
        "trust/calendar/year_list.html",
        {
            "years": years,
            "current_half_term": selectors.half_term_for(request.trust, today),
            "default_half_terms": selectors.half_terms_of_year(request.trust, academic_year_for(today))
            if not years
            else [],
            "create_form": CreateYearForm(initial={"start_year": academic_year_for(today)}),
        },
    )


@trust_view(Action.MANAGE_CALENDAR)
def year_create_default(request: HttpRequest) -> HttpResponse:
    form = CreateYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            year = services.academic_year_default(request.trust, form.cleaned_data["start_year"], actor=request.user)
        except ApplicationError as error:
            form.add_error("start_year", error.message)
        else:
            messages.success(request, f"The {year} year has its six half-terms. Edit the dates to match your trust's.")
            return redirect("calendar-year-list", trust_slug=request.trust.slug)
    return render(request, "trust/calendar/year_create.html", {"form": form})


@trust_view(Action.MANAGE_CALENDAR)
def year_edit(request: HttpRequest, year_uuid: UUID) -> HttpResponse:
    year = selectors.academic_year_of(request.trust, year_uuid)
    if year is None:
        raise Http404
    form = EditYearForm(request.POST or None, year=year)
    if request.method == "POST" and form.is_valid():
        try:
            services.academic_year_update(year=year, actor=request.user, half_terms=form.half_terms())
        except ApplicationError as error:
            field = error.extra.get("field", "")
            target = f"{field}_starts_on" if f"{field}_starts_on" in form.fields else None
            form.add_error(target, error.message)
        else:
            messages.success(request, f"The {year} half-term dates are saved.")
            return redirect("calendar-year-list", trust_slug=request.trust.slug)
    return render(request, "trust/calendar/year_edit.html", {"form": form, "year": year})
