"""Benchmark runner: builds demo datasets and writes the measured rows to BENCHMARKS.md.

``uv run python -m benchmarks.run [--scales 10,100] [--repeat 3]``

Every figure is a median of several runs and is given as a ratio to a reference
measured in the same run, because these machines are noisy:

* demo generation at scale N → reference: ``congvu migrate`` on an empty database;
* pages and API at scale N → reference: ``/health/`` (one trivial query) in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONGVU = [sys.executable, "-m", "congvu"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVU_") and k != "DATABASE_URL"}
    return env | {"CONGVU_DATA_DIR": str(data_dir), "CONGVU_DEMO_PASSWORD": "Bench-mat-khau-2026"}


def _timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def demo_generation(scale: int, repeat: int) -> tuple[float, float, Path]:
    """Median seconds of ``congvu demo --no-serve --scale N`` and of the reference, and a built data dir."""
    demo_times, ref_times = [], []
    kept: Path | None = None
    for _ in range(repeat):
        ref_dir = Path(tempfile.mkdtemp(prefix="cv-ref-"))
        ref_times.append(_timed([*CONGVU, "migrate", "-v0"], _env(ref_dir)))
        data_dir = Path(tempfile.mkdtemp(prefix=f"cv-s{scale}-"))
        _timed([*CONGVU, "migrate", "-v0"], _env(data_dir))  # the demo's own migrate is then a no-op
        demo_times.append(_timed([*CONGVU, "demo", "--no-serve", "--scale", str(scale)], _env(data_dir)))
        kept = data_dir
    assert kept is not None
    return statistics.median(demo_times), statistics.median(ref_times), kept


def pages(data_dir: Path, repeat: int) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.pages", str(repeat)],
        env=_env(data_dir),
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


ENGINE_HEADER = "| what | inputs | median | reference median | ratio | scorecards per second | command |\n|---|---|---|---|---|---|---|\n"


def org_section(args: argparse.Namespace) -> str:
    scales = [int(s) for s in args.scales.split(",")]
    rows: list[str] = []
    page_rows: list[str] = []
    for scale in scales:
        demo, ref, data_dir = demo_generation(scale, args.repeat)
        rows.append(
            f"| demo generation | {scale} | {demo:.2f} s | {ref:.2f} s | {demo / ref:.1f} | — |"
            f" `uv run congvu demo --no-serve --scale {scale}` |"
        )
        measured = pages(data_dir, args.page_repeat)
        reference = measured["reference /health/"]
        assert isinstance(reference, dict)
        for label in ("org tree page", "org tree children", "unit page", "/api/v1/units"):
            m = measured[label]
            assert isinstance(m, dict)
            page_rows.append(
                f"| {label} ({measured['units']} units) | {scale} | {m['median_ms']:.1f} ms |"
                f" {reference['median_ms']:.1f} ms | {m['median_ms'] / reference['median_ms']:.1f} |"
                f" {m['queries']} | `uv run python -m benchmarks.run --sections org --scales {scale}` |"
            )
        print(f"scale {scale}: demo {demo:.2f}s (ref {ref:.2f}s); {json.dumps(measured)}", flush=True)
    header = "| what | scale | median | reference median | ratio | queries | command |\n|---|---|---|---|---|---|---|\n"
    return f"""## Organisation registry

Measured on {date.today().isoformat()} on {platform.machine()} with Python {platform.python_version()},
SQLite (the embedded default), by `uv run python -m benchmarks.run --sections org --scales {args.scales}`.
Medians of {args.repeat} demo generations and {args.page_repeat} requests per page. Ratios are to a reference
measured in the same run: `congvu migrate` on an empty database for generation, `/health/` (the signed-in
session's queries and `SELECT 1`) for pages. Server time is Django's time to answer through the test client,
signed in as `admin` (whole province in scope); the children and unit page are those of the parent of the
newest unit (a commune at these scales). The query count of a page must not grow with the number of units:
compare the rows of the two scales.

{header}{chr(10).join(rows + page_rows)}
"""


def engine_section(args: argparse.Namespace) -> str:
    from benchmarks.engine import measure

    m = measure(count=10_000, repeat=args.repeat)
    row = (
        f"| evaluation engine, one period per person (10 products, 1 in 10 a leader), with traces |"
        f" {int(m['count']):,} | {m['engine_s']:.2f} s | {m['reference_s']:.3f} s |"
        f" {m['engine_s'] / m['reference_s']:.0f} | {m['per_second']:,.0f} | `uv run python -m benchmarks.run --sections engine` |"
    )
    return f"""## Evaluation engine (in memory)

Measured on {date.today().isoformat()} on {platform.machine()} with Python {platform.python_version()}, median of
{args.repeat} runs. Reference: a bare Python loop over the same inputs that only sums the same product
columns (weights, done weights) per person. The engine's arithmetic is exact and every number carries its
trace, which is what the ratio buys.

{ENGINE_HEADER}{row}
"""


SECTIONS = {"org": org_section, "engine": engine_section}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sections", default="org,engine", help="comma-separated: " + ", ".join(SECTIONS))
    parser.add_argument("--scales", default="10,100")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--page-repeat", type=int, default=15, help="requests per page")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    text = args.output.read_text(encoding="utf-8") if args.output.exists() else "# Benchmarks\n"
    for name in args.sections.split(","):
        body = SECTIONS[name](args)
        begin, end = f"<!-- section:{name} -->", f"<!-- /section:{name} -->"
        block = f"{begin}\n{body}{end}"
        if begin in text and end in text:
            text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
