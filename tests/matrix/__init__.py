"""Expected-status tables for the permission matrix, one module per area.

Each module defines `EXPECTED` ({url name: {method: {who: status}}}) and may define
`url_kwargs(trust_a) -> dict` giving trust A objects for its URL parameters.
"""
