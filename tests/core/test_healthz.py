from unittest import mock

from django.db.utils import OperationalError
from django.test import Client


def test_healthz_answers_200_when_the_database_answers(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_answers_503_without_data_when_the_database_does_not(db):
    with mock.patch("core.views.connection.cursor", side_effect=OperationalError("server closed the connection")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert b"server closed" not in response.content
