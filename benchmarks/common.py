"""Helpers shared by the benchmark scripts: synthetic corpora, timing and memory."""

import json
import resource
import shutil
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def directory_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).resolve().rglob("*") if p.is_file()) / 2**20


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": round(cut[49] * 1000, 2), "p95": round(cut[94] * 1000, 2), "p99": round(cut[98] * 1000, 2)}


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def replicate_corpus(source: Path, target: Path, copies: int) -> int:
    """Write `copies` variants of every practice in `source` into `target`; returns the file count.

    Each variant gets a new id and a distinct sentence in every paragraph-bearing section,
    so its chunks hash differently (no free cache hits) while reading like real write-ups.
    Translation links are dropped: the variants are independent practices.
    """
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    count = 0
    for path in sorted(source.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        head, _, body = text.partition("\n---\n")
        original_id = next(line.split(":", 1)[1].strip() for line in head.splitlines() if line.startswith("id:"))
        head = "\n".join(line for line in head.splitlines() if not line.startswith("translation_of:"))
        for copy in range(copies):
            new_id = f"{original_id}-v{copy}"
            variant_head = head.replace(f"id: {original_id}", f"id: {new_id}", 1)
            variant_body = body.replace("\n\n", f" (v{copy})\n\n", 3)
            (target / f"{new_id}.md").write_text(f"{variant_head}\n---\n{variant_body}", encoding="utf-8")
            count += 1
    return count


def emit(results: dict, out: Path | None) -> None:
    """Print results as JSON, and write them to `out` too when given (for the docs)."""
    text = json.dumps(results, indent=2)
    print(text)
    if out:
        out.write_text(text + "\n")
