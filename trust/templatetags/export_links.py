"""`{% export_links %}`: the "Download CSV / Excel" links under a table, keeping the page's filters."""

from typing import Any

from django import template

register = template.Library()

# Not filters: the page number only pages the screen (a download has every row), and the
# old format or table would clash with the one the link asks for.
NOT_FILTERS = ("page", "format", "table")


@register.inclusion_tag("_export_links.html", takes_context=True)
def export_links(context: template.Context, table: str = "", what: str = "") -> dict[str, Any]:
    """Links to this address with `format=csv|xlsx` added; `table` names which table when a page has several."""
    request = context["request"]
    query = request.GET.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    if table:
        query["table"] = table
    filters = query.urlencode()
    prefix = f"?{filters}&" if filters else "?"
    return {"csv_href": f"{prefix}format=csv", "xlsx_href": f"{prefix}format=xlsx", "what": what}
