"""Scale data: a deterministic, England-shaped set of trusts built with bulk inserts, for benchmarks.

    manage.py seed_scale --trusts 1000 --schools 10000 --years 5 --seed 1

What is made (the same seed and `today` make the same rows, except keys, UUIDs and timestamps):
- Trusts: the reference trusts `bench-120-a`, `bench-120-b`, `bench-120-c` (120 schools each),
  `bench-050` and `bench-010` first whenever they fit, then `trust-0001`, ... with a long tail of sizes
  (`trust_sizes`). URNs are numbered from 400001 in trust order.
- People in every trust, all with the password `scale-password-2026` (hashed once per run):
  `executive@<slug>.example`, `lead@<slug>.example` (improvement lead), `trustee@<slug>.example`, and
  a headteacher per school, `head-<urn>@<slug>.example`. Executives, leads and trustees have a confirmed
  TOTP device named "Authenticator app" with the fixed key AUTHENTICATOR_KEY, RFC 6238's test secret
  `3132333435363738393031323334353637383930` (hex): a benchmark computes the current code with
  `django_otp.oath.totp(bytes.fromhex(AUTHENTICATOR_KEY))`.
- Per trust: the four-phase support scale, the report-card judgement areas, this academic year's
  calendar (the default England dates), a register of experts and the year's trust calendar events.
- Per school, `years` years of history: a rating each half-year whose level drifts, with a rationale,
  evidence cited and the suggestion it was decided against; inspections with judgements; results for
  every measure of its phase with national and local authority figures (none for the key stage
  measures in 2019/20 and 2020/21, when there were no tests or exams); annual reviews with judgements
  per area; evidence; last year's and this year's self-evaluations with an entry per area; this year's
  in-year predictions, improvement plan (three priorities of four actions, updates), interventions with
  leads, targets, checkpoints and progress, support requests, and a year of visits from its level.
- The reference trusts also get their last six half-terms frozen as snapshots (the dashboard's trends).

Evidence files: each trust has one small PDF in private storage, shared by its documented evidence items
(data analyses and audits, about a third). Deleting one item's file therefore removes it for the others,
whose downloads then answer 404 ("no longer stored"): acceptable for throwaway benchmark data, and it keeps
a national run to a thousand small files.

Rows are written without audit entries, in one transaction, with django-scopes disabled.
"""

from trust.scale.build import AUTHENTICATOR_KEY, SCALE_PASSWORD, build_scale, build_trust_history
from trust.scale.sizes import REFERENCE_TRUSTS, reference_trusts, trust_sizes, trust_slugs

__all__ = [
    "AUTHENTICATOR_KEY",
    "REFERENCE_TRUSTS",
    "SCALE_PASSWORD",
    "build_scale",
    "build_trust_history",
    "reference_trusts",
    "trust_sizes",
    "trust_slugs",
]
