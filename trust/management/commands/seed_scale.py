import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from trust.scale import build_scale, trust_slugs
from trust.scale.writer import trusts_existing


class Command(BaseCommand):
    help = (
        "Build a deterministic, England-shaped data set for benchmarks with bulk inserts: TRUSTS trusts sharing "
        "SCHOOLS schools, YEARS years of history, from SEED (see trust/scale/__init__.py for what is made, the "
        "sign-ins and the authenticator key). It refuses a database that already holds trusts, so benchmark "
        "data is never mixed into real data by accident; --force adds the set beside them (still refusing if "
        "one of its trust slugs is taken). The whole set is one transaction: a failed run leaves no rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trusts", type=int, required=True, help="How many trusts.")
        parser.add_argument("--schools", type=int, required=True, help="How many schools, 1 to 120 per trust.")
        parser.add_argument("--years", type=int, default=5, help="Years of history before this one (default 5).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed builds the same data (default 1).")
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today).")
        parser.add_argument("--force", action="store_true", help="Add the set even if the database holds trusts.")

    def handle(self, *args: Any, **options: Any) -> None:
        trusts, schools, years, seed = options["trusts"], options["schools"], options["years"], options["seed"]
        today = options["today"] or timezone.localdate()
        if years < 1:
            raise CommandError("--years must be at least 1.")
        try:
            slugs = trust_slugs(trusts, schools)
        except ValueError as error:
            raise CommandError(str(error)) from error
        existing, taken = trusts_existing(slugs)
        if existing and not options["force"]:
            raise CommandError(
                f"The database already holds {existing} trust(s). Use an empty database (migrate a new one), "
                "or --force to add the scale data beside them."
            )
        if taken:
            raise CommandError(f"Trust slugs already taken: {', '.join(taken)}. Use an empty database.")

        self.stdout.write(
            f"Building {trusts} trusts, {schools} schools, {years} years of history, seed {seed}, today {today}"
        )
        started_wall, started_cpu = time.perf_counter(), time.process_time()

        def progress(done: int, total: int) -> None:
            elapsed = time.perf_counter() - started_wall
            self.stdout.write(f"  {done:>5} of {total} trusts written, {elapsed:6.1f} s")

        counts = build_scale(trusts=trusts, schools=schools, years=years, seed=seed, today=today, progress=progress)
        wall, cpu = time.perf_counter() - started_wall, time.process_time() - started_cpu
        width = max(len(label) for label in counts)
        self.stdout.write("")
        self.stdout.write(f"  {'rows':<{width}} {'count':>10}")
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label:<{width}} {count:>10,}")
        self.stdout.write(f"  {'total':<{width}} {sum(counts.values()):>10,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {wall:.1f} s (CPU {cpu:.1f} s in this process): seed_scale --trusts {trusts} "
                f"--schools {schools} --years {years} --seed {seed} --today {today}"
            )
        )
