"""The one place the scale data makes its random generators."""

import random


def rng_for(*parts: object) -> random.Random:
    """A generator seeded from the parts (e.g. "trust", seed, slug): the same parts give the same data.

    Seeding from a string is stable across runs and machines (Python hashes it with SHA-512), and one
    generator per trust keeps a trust's data the same whatever else is built around it.
    """
    return random.Random(":".join(str(p) for p in ("trustwide-scale", *parts)))  # noqa: S311 -- fake data, not secrets
