"""Offline loader throughput and memory: generated dumps into the embedded SQLite store.

Each load runs in a fresh subprocess, so its peak RSS is the loader's own; comparing the
peak at 2,000 and at 20,000 documents shows whether memory stays flat as the input grows.
Throughput is the median of three loads of the 20,000, each beside a one-process load.
"""
from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from w3lib.html import remove_tags

from newsmon.replay.site import CORPUS

TARGET_DOCS_PER_SECOND = 2000
ROUNDS = 3

_LANGUAGES = ("en", "az", "ru")
_PAIRS = Path(__file__).parents[1] / "tests/fixtures/stories/pairs.jsonl"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÇƏĞİÖŞÜА-ЯЁ«\"])")


def _real_text() -> dict[str, tuple[list[str], list[str]]]:
    """Real news per language, (headlines, sentences): the replay site's articles and the story pairs.

    Generated articles are drawn from these, so that language detection, cleaning and story
    sketches do the work real text makes them do (random syllables are not any language, and
    a detector spends its time differently on them).
    """
    found: dict[str, tuple[set[str], set[str]]] = {lang: (set(), set()) for lang in _LANGUAGES}
    for lang, stories in CORPUS.items():
        for story in stories:
            found[lang][0].add(story.title)
            found[lang][1].update(map(remove_tags, story.paragraphs))
    for line in _PAIRS.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        for side in ("a", "b"):
            found[pair["lang"]][0].add(pair[side]["title"])
            found[pair["lang"]][1].update(pair[side]["body"].split("\n\n"))
    pools = {}
    for lang, (titles, paragraphs) in found.items():
        sentences = {s.strip() for paragraph in paragraphs for s in _SENTENCE_END.split(paragraph)}
        pools[lang] = (sorted(titles), sorted(s for s in sentences if len(s.split()) >= 4 and s[-1] in ".!?…"))
    return pools


_DATELINES = {
    "en": "{d} April 2024 {h}:{m:02d} (UTC +04:00)",
    "az": "{d} aprel 2024 {h}:{m:02d} (UTC +04:00)",
    "ru": "{d} апреля 2024 {h}:{m:02d} (UTC +04:00)",
}


class _SentenceMaker:
    """New sentences from a first-order Markov chain over the words of real sentences: real
    words in a real language's letters, but two articles share few three-word runs, as
    unrelated news do (whole real sentences drawn from a few hundred repeat too often)."""

    _MAX_WORDS = 30

    def __init__(self, sentences: list[str], rng: random.Random) -> None:
        self.rng = rng
        self.starts = [sentence.split()[0] for sentence in sentences]
        self.following: dict[str, list[str]] = {}
        for sentence in sentences:
            words = sentence.split()
            for word, after in zip(words, words[1:]):
                self.following.setdefault(word, []).append(after)

    def sentence(self) -> str:
        words = [self.rng.choice(self.starts)]
        while words[-1][-1] not in ".!?…" and len(words) < self._MAX_WORDS:
            words.append(self.rng.choice(self.following.get(words[-1]) or self.starts))
        text = " ".join(words)
        return text if text[-1] in ".!?…" else text + "."


def write_documents(folder: Path, count: int, seed: int = 7) -> None:
    """`count` distinct article dumps in the sample's shape, 100 per sub-folder: a real
    headline numbered, then four to ten paragraphs of two or three new sentences
    (`_SentenceMaker`) in the document's language."""
    rng = random.Random(seed)
    makers = {}
    titles = {}
    for lang, (headlines, sentences) in _real_text().items():
        titles[lang], makers[lang] = headlines, _SentenceMaker(sentences, rng)
    for n in range(count):
        lang = _LANGUAGES[n % len(_LANGUAGES)]
        maker = makers[lang]
        paragraphs = [" ".join(maker.sentence() for _ in range(rng.randint(2, 3))) for _ in range(rng.randint(4, 10))]
        dateline = _DATELINES[lang].format(d=rng.randint(1, 30), h=rng.randint(0, 23), m=rng.randint(0, 59))
        title = f"{rng.choice(titles[lang])} ({n})"
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
    rounds = 1 if quick else ROUNDS
    jobs = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folders = {}
        for size in sizes:
            folders[size] = Path(tmp) / f"docs{size}"
            folders[size].mkdir()
            write_documents(folders[size], size)
        small = load_in_subprocess(folders[sizes[0]], f"sqlite:///{tmp}/small.db", jobs)
        # Rounds alternate the parallel and the one-process load, so a busy machine slows both alike.
        parallel, single = [], []
        for n in range(rounds):
            parallel.append(load_in_subprocess(folders[sizes[1]], f"sqlite:///{tmp}/parallel{n}.db", jobs))
            single.append(load_in_subprocess(folders[sizes[1]], f"sqlite:///{tmp}/single{n}.db", 1))
    rates = sorted(run["stored"] / run["seconds"] for run in parallel)
    rate = statistics.median(rates)
    single_rate = statistics.median(run["stored"] / run["seconds"] for run in single)
    verdict = "ok" if rate >= TARGET_DOCS_PER_SECOND else "MISSED"
    small_peak = small["peak_kib"]
    large_peak = max(run["peak_kib"] for run in parallel)
    return [
        f"loader: {sizes[1]:,} documents into SQLite with --jobs {jobs}: median {rate:,.0f} docs/s of {rounds} rounds"
        f" ({', '.join(f'{r:,.0f}' for r in rates)}; target ≥{TARGET_DOCS_PER_SECOND:,}/s: {verdict});"
        f" one process: {single_rate:,.0f} docs/s ({rate / single_rate:.2f}x)",
        f"loader: peak RSS per process {small_peak / 1024:.0f} MiB at {sizes[0]:,} docs,"
        f" {large_peak / 1024:.0f} MiB at {sizes[1]:,} docs"
        f" (ratio {large_peak / small_peak:.2f}x for {sizes[1] // sizes[0]}x the input;"
        " growth: SQLite's page cache, bounded at 128 MiB, and the write batch of 2,000 articles)",
    ]


if __name__ == "__main__":
    print("\n".join(run(quick="--quick" in sys.argv)))
