"""Reading a trust's support scale: one scale, its levels in order (most intensive first)."""

from trust.models import SupportLevel, SupportScale, Trust


def scale_of(trust: Trust) -> SupportScale | None:
    """The trust's scale with its levels prefetched (2 queries), or None before one is chosen."""
    return SupportScale.objects.filter(trust=trust).prefetch_related("levels").first()


def levels_of(trust: Trust) -> list[SupportLevel]:
    """The levels of the trust's scale, most intensive first (1 query); empty before a scale is chosen."""
    return list(SupportLevel.objects.filter(scale__trust=trust).select_related("scale").order_by("position"))


def level_of(trust: Trust, level_uuid: object) -> SupportLevel | None:
    """One level of the trust's own scale by its UUID; another trust's level reads as unknown."""
    return SupportLevel.objects.filter(scale__trust=trust, uuid=level_uuid).select_related("scale__trust").first()


def scale_has_ratings(scale: SupportScale | None) -> bool:
    """True once any school has been rated on the scale: it can then be edited but not replaced."""
    from reviews.models import Rating  # reviews depends on trust, not the other way round at import time

    return scale is not None and Rating.objects.filter(level__scale=scale).exists()
