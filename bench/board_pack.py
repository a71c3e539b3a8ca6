"""A large trust's board pack, requested and built as the worker would: wall time and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trustwide_scale .venv/bin/python bench/board_pack.py

Run in a fresh interpreter (bench/run.py does) so the memory is the pack's own. With bench/settings.py
Celery runs eagerly, so `board_pack_request` takes the snapshot, renders and stores the PDF in this
process; whatever processes the renderer starts are its children. A sampler process (not a thread,
which would wait for the GIL while the pack renders) reads the memory of the whole process tree
(this process and all its descendants) every 50 ms and keeps two peaks: the sum of proportional set
sizes (PSS: a page shared by n processes counts 1/n in each, so the sum is what the tree really
occupies, as a container's memory limit sees it), the figure checked against the budget; and the
plain sum of resident sizes (RSS), which counts every shared page once per process and so errs high.
The pack and the snapshot taken for it are deleted afterwards, so repeated runs leave the database
as they found it (the audit entries stay).
"""

import datetime
import json
import os
import resource
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRUST = "bench-120-a"
SAMPLE_SECONDS = 0.05


def tree_memory(root_pid: int, exclude: int = 0) -> tuple[int, int, int]:
    """(PSS, RSS, processes) of a process and all its descendants now, in bytes."""
    import psutil

    root = psutil.Process(root_pid)
    pss, rss, processes = 0, 0, 0
    for process in [root, *root.children(recursive=True)]:
        if process.pid == exclude:
            continue
        try:
            memory = process.memory_full_info()
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            continue  # a child that ended between listing and reading
        pss, rss, processes = pss + memory.pss, rss + memory.rss, processes + 1
    return pss, rss, processes


def watch(root_pid: int, interval: float = SAMPLE_SECONDS) -> None:
    """The sampler, in its own process (a thread would wait for the GIL while the pack renders):
    samples the tree until its standard input closes, then prints the peaks as JSON."""
    peaks = {"pss": 0, "rss": 0, "processes": 0, "samples": 0}
    while True:
        pss, rss, processes = tree_memory(root_pid, exclude=os.getpid())
        peaks = {
            "pss": max(peaks["pss"], pss),
            "rss": max(peaks["rss"], rss),
            "processes": max(peaks["processes"], processes),
            "samples": peaks["samples"] + 1,
        }
        if select.select([sys.stdin], [], [], interval)[0]:
            break  # the measured process closed our input: it is done
    print(json.dumps(peaks))


class TreeMemory:
    """Peak PSS and RSS of this process and its descendants while the block runs, from a sampler process."""

    def __enter__(self) -> "TreeMemory":
        self._watcher = subprocess.Popen(  # noqa: S603 -- this same script, as the sampler
            [sys.executable, __file__, "--watch", str(os.getpid())], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        return self

    def __exit__(self, *exc: object) -> None:
        output, _ = self._watcher.communicate(b"")  # closing its input stops it
        peaks = json.loads(output)
        self.peak_pss, self.peak_rss = peaks["pss"], peaks["rss"]
        self.peak_processes, self.samples = peaks["processes"], peaks["samples"]


def build_pack(slug: str = TRUST) -> dict[str, Any]:
    from django_scopes import scope, scopes_disabled

    from reporting.models import BoardPack, Snapshot
    from reporting.services.board_packs import board_pack_request
    from schools.models import School
    from trust.models import Membership, Role, Trust

    with scopes_disabled():
        trust = Trust.objects.get(slug=slug)
        executive = Membership.objects.filter(trust=trust, role=Role.EXECUTIVE).order_by("user__email").first().user
        schools = School.objects.filter(trust=trust).count()
        snapshots_before = set(Snapshot.objects.filter(trust=trust).values_list("pk", flat=True))
        packs_before = set(BoardPack.objects.filter(trust=trust).values_list("pk", flat=True))
    memory = TreeMemory()
    rss_before = tree_memory(os.getpid())[1]
    started, cpu_started = time.perf_counter(), time.process_time()
    with memory, scope(trust=trust.pk):
        pack = board_pack_request(trust=trust, actor=executive, today=datetime.date.today())
        pack = BoardPack.objects.get(pk=pack.pk)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = {
        "trust": slug,
        "schools": schools,
        "status": pack.status,
        "error": pack.error,
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(cpu + children.ru_utime + children.ru_stime, 1),
        "pages": pack.pages,
        "size_kb": round(pack.size / 1024),
        "rss_before_mb": round(rss_before / 1_048_576, 1),
        "peak_tree_pss_mb": round(memory.peak_pss / 1_048_576, 1),
        "peak_tree_rss_mb": round(memory.peak_rss / 1_048_576, 1),
        "peak_processes": memory.peak_processes,
        "samples": memory.samples,
        "peak_self_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    # The sampler can miss a short peak between samples; the kernel's own maximum for this process cannot
    # (this process's RSS is at least its PSS, so the figure never drops below what the kernel saw).
    figures["peak_mb"] = max(figures["peak_tree_pss_mb"], figures["peak_self_rss_mb"])
    if pack.pk in packs_before:
        figures["error"] = f"a pack was already in preparation for {slug} (status {pack.status}); nothing was built"
        return figures
    with scopes_disabled():
        # Leave the database as it was: the benchmark's pack and the snapshot taken for it go.
        if pack.file:
            pack.file.delete(save=False)
        snapshot_id = pack.snapshot_id
        pack.delete()
        if snapshot_id not in snapshots_before:
            Snapshot.objects.filter(pk=snapshot_id, board_packs__isnull=True).delete()
    return figures


def main() -> None:
    if sys.argv[1:2] == ["--watch"]:
        watch(int(sys.argv[2]))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    print(json.dumps(build_pack(sys.argv[1] if len(sys.argv) > 1 else TRUST)))


if __name__ == "__main__":
    main()
