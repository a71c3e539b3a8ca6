"""The floor the page timings are read against: a plain Django page listing a trust's schools.

It passes through every middleware a trust page does (session, sign-in, two-factor, trust scope), makes
one query for the schools and renders a small template with no base layout and no context processors:
what any page listing these schools costs before the app's own work.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.template import engines

from schools.models import School

TEMPLATE = engines["django"].from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ trust.name }}: schools</title></head>
<body><h1>{{ trust.name }}</h1>
<table><thead><tr><th>School</th><th>URN</th><th>Phase</th><th>Pupils</th></tr></thead><tbody>
{% for school in schools %}<tr><td>{{ school.name }}</td><td>{{ school.urn }}</td><td>{{ school.phase }}</td>
<td>{{ school.number_of_pupils|default:"" }}</td></tr>{% endfor %}
</tbody></table></body></html>
"""
)


def school_list(request: HttpRequest, trust_slug: str) -> HttpResponse:
    if request.membership is None:  # signed out, or not a member: the middleware opened no scope
        raise Http404
    schools = (
        School.objects.filter(trust=request.trust).order_by("name").only("name", "urn", "phase", "number_of_pupils")
    )
    return HttpResponse(TEMPLATE.render({"trust": request.trust, "schools": schools}))
