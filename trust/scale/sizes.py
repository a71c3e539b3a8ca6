"""How many schools each scale trust has: a few reference trusts the benchmarks name, then a long tail.

England's academies sit in many small trusts (one to ten schools) and a few large ones (50 to 120);
the tail is drawn from a log-normal distribution scaled to the total, so most trusts are small and a
handful are large. The reference trusts come first, largest first, each placed only when the trusts
and schools left can still be shared out (every trust 1 to 120 schools).
"""

import math

from trust.scale.randomness import rng_for

MAX_SCHOOLS = 120
REFERENCE_TRUSTS: tuple[tuple[str, int], ...] = (
    ("bench-120-a", 120),
    ("bench-120-b", 120),
    ("bench-120-c", 120),
    ("bench-050", 50),
    ("bench-010", 10),
)
# The spread of the tail: with ten schools a trust on average, about two in three trusts have ten or
# fewer schools and one or two in a hundred have more than fifty.
TAIL_SIGMA = 1.05


def _fits(size: int, trusts_left: int, schools_left: int) -> bool:
    rest_trusts, rest_schools = trusts_left - 1, schools_left - size
    return rest_trusts >= 0 and rest_trusts <= rest_schools <= rest_trusts * MAX_SCHOOLS


def _check(trusts: int, schools: int) -> None:
    if trusts < 1:
        raise ValueError("There must be at least one trust.")
    if not trusts <= schools <= trusts * MAX_SCHOOLS:
        raise ValueError(f"{schools} schools cannot be shared among {trusts} trusts of 1 to {MAX_SCHOOLS} schools.")


def reference_trusts(trusts: int, schools: int) -> list[tuple[str, int]]:
    """The reference trusts (slug, size) that fit, in the order they are placed."""
    _check(trusts, schools)
    placed: list[tuple[str, int]] = []
    for slug, size in REFERENCE_TRUSTS:
        if _fits(size, trusts - len(placed), schools - sum(s for _, s in placed)):
            placed.append((slug, size))
    return placed


def _tail(count: int, total: int, seed: int) -> list[int]:
    """`count` sizes of 1 to MAX_SCHOOLS summing to `total`, long-tailed."""
    if count == 0:
        return []
    rng = rng_for("sizes", seed)
    weights = [rng.lognormvariate(0.0, TAIL_SIGMA) for _ in range(count)]
    scale = total / sum(weights)
    sizes: list[int] = []
    # Clamping to 1..MAX_SCHOOLS moves the sum; rescale the rest a few times until it settles.
    for _ in range(30):
        sizes = [min(MAX_SCHOOLS, max(1, math.floor(w * scale + 0.5))) for w in weights]
        made = sum(sizes)
        if made == total:
            return sizes
        scale *= total / made
    # Share out what rounding left over, one school at a time, in a seeded order.
    order = list(range(count))
    rng.shuffle(order)
    gap = total - sum(sizes)
    step = 1 if gap > 0 else -1
    while gap:
        for index in order:
            if gap and 1 <= sizes[index] + step <= MAX_SCHOOLS:
                sizes[index] += step
                gap -= step
    return sizes


def trust_sizes(trusts: int, schools: int, seed: int) -> list[int]:
    """Each trust's number of schools: the reference trusts that fit first, then a seeded long tail."""
    placed = reference_trusts(trusts, schools)
    tail = _tail(trusts - len(placed), schools - sum(size for _, size in placed), seed)
    return [size for _, size in placed] + tail


def trust_slugs(trusts: int, schools: int) -> list[str]:
    """The slug of each trust, in the order of `trust_sizes`: reference slugs, then trust-0001, ..."""
    placed = [slug for slug, _ in reference_trusts(trusts, schools)]
    return placed + [f"trust-{n:04d}" for n in range(1, trusts - len(placed) + 1)]
