"""The light request loop of the PostgreSQL restart test, run as its own process against the private cluster.

Requests go through Django's WSGI handler as a server would call it. Prints one JSON line per
request ({"t", "status"}) until a request fails and a later one succeeds,
then sends the worker its next job and prints how long it took ({"job", "seconds"}).
"""

import json
import sys
import time
from wsgiref.util import setup_testing_defaults

import django


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def get(path: str) -> int:
    """One request through Django's real WSGI handler (as gunicorn calls it), not the test client: only
    the real handler opens and closes connections on request_started/request_finished as production does."""
    from django.core.handlers.wsgi import WSGIHandler

    environ: dict = {}
    setup_testing_defaults(environ)
    environ.update(PATH_INFO=path, HTTP_HOST="127.0.0.1")
    statuses: list[str] = []
    response = WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(response)
    response.close()  # sends request_finished
    return int(statuses[0].split()[0])


def main(max_seconds: float) -> None:
    django.setup()
    from django_scopes import scopes_disabled

    from tests.factories import MembershipFactory, TrustFactory, UserFactory
    from trust.tasks import member_census

    with scopes_disabled():  # setting up the private database's one trust
        trust = TrustFactory(slug="pg-restart")
        MembershipFactory(trust=trust, user=UserFactory(), role="executive")
    assert member_census.apply_async(kwargs={"trust_id": trust.pk}).get(timeout=30) == {"executive": 1}
    say(ready=True)
    failed, deadline = False, time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        status = get("/healthz")
        say(t=time.time(), status=status)
        failed = failed or status != 200
        if failed and status == 200:
            break
        time.sleep(0.2)
    sent = time.monotonic()
    census = member_census.apply_async(kwargs={"trust_id": trust.pk}).get(timeout=30)
    say(job=census, seconds=time.monotonic() - sent)


if __name__ == "__main__":
    main(float(sys.argv[1]))
