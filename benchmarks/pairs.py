"""The page mix without writes and with them, in pairs, each with writes right after its reads-only run, and the
medians of the pairs (not a test: figures go to docs/performance.md).

On a shared machine one run of ``benchmarks/load.py`` says little about a change: the same code measured twice ten
minutes apart gave 365 and 249 req/s with writes (docs/performance.md, "Sixth pass"). A pair's two runs meet the same
machine, so their ratio drifts less than either; the median of several pairs drifts less again.

    export DATABASE_URL=postgres://plan65:plan65@127.0.0.1:5432/plan65_load REDIS_URL=redis://127.0.0.1:6379/5
    .venv/bin/python benchmarks/pairs.py --pairs 3 --label demo
    .venv/bin/python benchmarks/pairs.py --pairs 3 --label demo -- --seconds 30   # load.py's own options after --

Each run is ``load.py --seconds 60 --healthz-seconds 0``, with ``--drafts-per-second 5 --approvals-per-second 1`` for
the runs with writes (the rates issue 23 asks); their results stay in ``var/bench-load-LABEL-N-r.json`` and
``-N-w.json``, the medians in ``var/bench-pairs-LABEL.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITES = ["--drafts-per-second", "5", "--approvals-per-second", "1"]
SHOWN = ("req_per_s", "p50_ms", "p95_ms", "p99_ms", "errors", "server_cpu_ms_per_request")


def run(label: str, extra: list[str]) -> dict:
    """One run of load.py; its result (the page mix's figures, and the worker's CPU with writes)."""
    command = [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--seconds", "60", "--healthz-seconds", "0"]
    subprocess.run([*command, *extra, "--label", label], check=True, cwd=ROOT)  # noqa: S603 - the repo's own script
    return json.loads((ROOT / "var" / f"bench-load-{label}.json").read_text())["mix"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--label", default="pairs")
    parser.add_argument("load_options", nargs="*", help="passed to every run of load.py (after --)")
    args = parser.parse_args()
    pairs = []
    for n in range(1, args.pairs + 1):
        reads = run(f"{args.label}-{n}-r", args.load_options)
        writes = run(f"{args.label}-{n}-w", [*args.load_options, *WRITES])
        pairs.append({"reads": reads, "writes": writes, "kept": writes["req_per_s"] / reads["req_per_s"]})
    print(f"\n{args.label}: {args.pairs} pairs, reads only then with writes (5 drafts, 1 approval a second)")
    print("| pair | reads only req/s · p95 ms | with writes req/s · p95 · p99 ms | kept | errors |")
    print("|---|---|---|---|---|")
    for n, pair in enumerate(pairs, 1):
        r, w = pair["reads"], pair["writes"]
        print(
            f"| {n} | {r['req_per_s']:.0f} · {r['p95_ms']:.0f} | {w['req_per_s']:.0f} · {w['p95_ms']:.0f} · "
            f"{w['p99_ms']:.0f} | {pair['kept']:.0%} | {r['errors'] + w['errors']} |"
        )
    sides = ("reads", "writes")
    medians = {side: {key: statistics.median(p[side][key] for p in pairs) for key in SHOWN} for side in sides}
    medians["kept"] = statistics.median(pair["kept"] for pair in pairs)
    r, w = medians["reads"], medians["writes"]
    print(
        f"| median | {r['req_per_s']:.0f} · {r['p95_ms']:.0f} | {w['req_per_s']:.0f} · {w['p95_ms']:.0f} · "
        f"{w['p99_ms']:.0f} | {medians['kept']:.0%} | |"
    )
    out = ROOT / "var" / f"bench-pairs-{args.label}.json"
    out.write_text(json.dumps({"pairs": pairs, "medians": medians}, indent=2))
    print(f"kept in {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
