"""A trust with years of history, built with bulk inserts, for the benchmarks: now part of the scale data.

`build_trust_history(*, name, slug, schools, today, years=5, seed=1, urn_base=500000) -> Trust` lives in
`trust.scale` (see trust/scale/__init__.py for what a trust is given); it is re-exported here for the
benchmarks that import it from this module. Call it inside no scope.
"""

from trust.scale import build_trust_history

__all__ = ["build_trust_history"]
