"""Offline loader throughput and memory: generated dumps into the embedded SQLite store.

Each size runs in a fresh subprocess, so its peak RSS is the loader's own; comparing the
peak at 2,000 and at 20,000 documents shows whether memory stays flat as the input grows.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_DOCS_PER_SECOND = 2000

_SYLLABLES = {
    "en": "pre si dent mi nis ter a gree ment bor der en er gy trans port co op er a tion re gion".split(),
    "az": "pre zi dent na zir ra zı laş ma sər həd e ner ji nəq liy yat ə mək daş lıq böl gə".split(),
    "ru": "пре зи дент ми нис тр со гла ше ни е гра ни ца э нер ге ти ка тран спорт ре ги он".split(),
}
_VOCABULARY_SIZE = 4000


def _vocabulary(lang: str, rng: random.Random) -> list[str]:
    """A few thousand word forms: news text has a large vocabulary, and a small one would make
    unrelated generated articles look like near-duplicates to the story index."""
    syllables = _SYLLABLES[lang]
    words = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(_VOCABULARY_SIZE * 2)}
    vocabulary = sorted(words)[:_VOCABULARY_SIZE]
    rng.shuffle(vocabulary)  # frequent words should not all share their first syllables
    return vocabulary


_DATELINES = {
    "en": "{d} April 2024 {h}:{m:02d} (UTC +04:00)",
    "az": "{d} aprel 2024 {h}:{m:02d} (UTC +04:00)",
    "ru": "{d} апреля 2024 {h}:{m:02d} (UTC +04:00)",
}


def write_documents(folder: Path, count: int, seed: int = 7) -> None:
    """`count` distinct article dumps in the sample's shape, 100 per sub-folder."""
    rng = random.Random(seed)
    vocabularies = {lang: _vocabulary(lang, rng) for lang in _SYLLABLES}
    # Zipf-like word frequencies, as in real text.
    weights = [1 / rank for rank in range(1, _VOCABULARY_SIZE + 1)]
    for n in range(count):
        lang = ("en", "az", "ru")[n % 3]
        words = vocabularies[lang]
        paragraphs = [
            " ".join(rng.choices(words, weights, k=rng.randint(25, 60))).capitalize() + f" {n}."
            for _ in range(rng.randint(4, 10))
        ]
        dateline = _DATELINES[lang].format(d=rng.randint(1, 30), h=rng.randint(0, 23), m=rng.randint(0, 59))
        title = " ".join(rng.choices(words, weights, k=8)).capitalize() + f" {n}"
        text = f"{title}\n\n© APA | caption\n\n# {dateline}\n\n" + "\n\n".join(paragraphs) + "\n\n1 2 3 4 5 İDMAN XƏBƏR\n"
        sub = folder / f"{n // 100:04d}"
        sub.mkdir(exist_ok=True)
        (sub / f"{n:06d}.txt").write_text(text, encoding="utf-8")


_LOAD_SCRIPT = """
import json, resource, sys, time
from newsmon.loader import load_paths
from newsmon.store import open_store
store = open_store(sys.argv[2])
started = time.perf_counter()
report = load_paths([sys.argv[1]], store, {}, jobs=int(sys.argv[3]))
elapsed = time.perf_counter() - started
store.close()
peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"read": report.read, "stored": report.stored, "rejected": report.rejected,
                  "seconds": elapsed, "peak_kib": peak}))
"""


def load_in_subprocess(folder: Path, store_uri: str, jobs: int) -> dict:
    done = subprocess.run([sys.executable, "-c", _LOAD_SCRIPT, str(folder), store_uri, str(jobs)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"loader benchmark run failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def run(quick: bool = False) -> list[str]:
    sizes = (500, 2000) if quick else (2000, 20000)
    jobs = os.cpu_count() or 1
    peaks = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            folder = Path(tmp) / f"docs{size}"
            folder.mkdir()
            write_documents(folder, size)
            peaks[size] = load_in_subprocess(folder, f"sqlite:///{tmp}/store{size}.db", jobs)
        # The same documents once more in one process, side by side with the parallel run.
        single = load_in_subprocess(folder, f"sqlite:///{tmp}/single.db", 1)
    parallel = peaks[sizes[-1]]
    rate = parallel["stored"] / parallel["seconds"]
    single_rate = single["stored"] / single["seconds"]
    verdict = "ok" if rate >= TARGET_DOCS_PER_SECOND else "MISSED"
    small_peak, large_peak = (peaks[s]["peak_kib"] for s in sizes)
    return [
        f"loader: {parallel['stored']:,} documents in {parallel['seconds']:.1f} s = {rate:,.0f} docs/s into SQLite"
        f" with --jobs {jobs} (target ≥{TARGET_DOCS_PER_SECOND:,}/s: {verdict});"
        f" one process: {single_rate:,.0f} docs/s ({rate / single_rate:.2f}x)",
        f"loader: peak RSS per process {small_peak / 1024:.0f} MiB at {sizes[0]:,} docs,"
        f" {large_peak / 1024:.0f} MiB at {sizes[1]:,} docs"
        f" (ratio {large_peak / small_peak:.2f}x for {sizes[1] // sizes[0]}x the input;"
        " growth is SQLite's page cache, bounded at 64 MiB)",
    ]


if __name__ == "__main__":
    print("\n".join(run(quick="--quick" in sys.argv)))
