from django.db.models import QuerySet

from schools.models import School
from trust.models import Membership


def schools_visible_to(membership: Membership) -> QuerySet[School]:
    """The schools a member may see: all the trust's, or only their own for school-level roles."""
    schools = School.objects.filter(trust=membership.trust).order_by("name")
    if membership.is_school_level:
        schools = schools.filter(pk=membership.school_id)
    return schools
