"""Expected statuses for school list, profile, inspections entered by the trust and predictions."""

import datetime
from typing import Any

from schools.models import InspectionSource
from schools.services.inspections import inspection_record
from tests.matrix.common import GV, HT, IL, OTHER, TR, E, everyone, trust_page

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "school-list": {"GET": trust_page({E, IL, HT, TR, GV})},
    "inspection-radar": {"GET": trust_page({E, IL, HT, TR, GV})},
    # School 1: its headteacher sees it, the governor of school 2 does not (404).
    "school-detail": {"GET": trust_page({E, IL, HT, TR}, governor=404)},
    "inspection-add": {"GET": trust_page({E, IL}), "POST": trust_page({E, IL})},
    "inspection-edit": {"GET": trust_page({E, IL}), "POST": trust_page({E, IL})},
    # Trustees read predictions; only the school's headteacher and the trust's leads enter them.
    "school-predictions": {
        "GET": trust_page({E, IL, HT, TR}, governor=404),
        "POST": trust_page({E, IL, HT}, ok=302, governor=404),
    },
    "school-predictions-template": {"GET": trust_page({E, IL, HT})},
    "school-attendance": {"GET": trust_page({E, IL, HT}), "POST": trust_page({E, IL, HT})},
    "school-predictions-upload": {"GET": {**everyone(405), OTHER: 404}, "POST": trust_page({E, IL, HT}, ok=302)},
    # API: reads as the pages; writes need the role before the school is even looked up (403).
    "api-school-list": {"GET": trust_page({E, IL, HT, TR, GV}, anon=401)},
    "api-school-detail": {"GET": trust_page({E, IL, HT, TR}, anon=401, governor=404)},
    "api-inspection-list": {
        "GET": trust_page({E, IL, HT, TR}, anon=401, governor=404),
        "POST": trust_page({E, IL}, ok=400, anon=401),
    },
    "api-inspection-detail": {
        "GET": trust_page({E, IL, HT, TR}, anon=401, governor=404),
        "PUT": trust_page({E, IL}, ok=400, anon=401),
    },
    "api-measure-list": {"GET": trust_page({E, IL, HT, TR}, anon=401, governor=404)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    inspection, _ = inspection_record(
        school=trust_a.schools[0],
        inspected_on=datetime.date(2023, 3, 1),
        judgements={"overall_effectiveness": 2},
        source=InspectionSource.FORM,
    )
    return {"inspection_uuid": inspection.uuid, "fmt": "xlsx"}
