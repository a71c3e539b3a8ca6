import uuid

from django.db import models


class BaseModel(models.Model):
    """Every record: an internal integer key, a public UUID for URLs and the API, timestamps."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
