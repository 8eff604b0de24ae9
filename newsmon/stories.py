"""Near-duplicate stories: copies of one article share a story id.

Another outlet's rewrite of wire copy, a re-edited headline, an added or dropped sentence: each
such copy is stored as its own article but gets the story id of the article it copies. News on
the same topic that tells something else (another phone call of the same president, the next
day's exchange rates) gets a story of its own.

How an article finds its story:
1. A sketch of its body: the MinHash signature of its word shingles (datasketch), and the set
   of figures it mentions.
2. The signature's LSH band keys. The store maps band keys to the stories indexed under them,
   so a lookup costs a few indexed reads whatever the corpus size.
3. Candidates sharing a band are verified against their story's stored sketch: the estimated
   Jaccard similarity must reach the threshold and the figures must agree. The figure check is
   what separates templated news (rates, quakes, weather, oil prices), whose wording repeats
   every day while the numbers change.
4. No verified candidate: a new story, whose id is the article's content hash (stable: the same
   first article always founds the same story id).

A story is indexed under the sketch of its first stored article, and only once the store has
inserted that article, so a duplicate the store turns away never becomes a story. Stories
founded in the current, unflushed batch are matched from memory until the flush.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketch import MinHash

from newsmon.fingerprint import normalize_for_fingerprint
from newsmon.items import Article
from newsmon.store import Store
from newsmon.store.base import INSERTED

__all__ = [
    "Sketch",
    "StoryIndex",
    "StoryParams",
    "band_keys",
    "estimated_jaccard",
    "figure_overlap",
    "figures",
    "make_sketch",
    "same_story",
    "shingles",
]

# Fixed so that signatures computed by any process or run are comparable.
MINHASH_SEED = 1
_EMPTY_HASH = np.uint32(0xFFFFFFFF)  # datasketch's value for "no shingle seen"
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_SKETCH_HEADER = struct.Struct("<II")  # num_perm, number of figures

# StoryParams field -> Scrapy setting.
SETTING_NAMES = {
    "threshold": "NEWSMON_STORY_THRESHOLD",
    "num_perm": "NEWSMON_STORY_NUM_PERM",
    "bands": "NEWSMON_STORY_BANDS",
    "shingle": "NEWSMON_STORY_SHINGLE",
    "figure_overlap": "NEWSMON_STORY_FIGURE_OVERLAP",
    "max_candidates": "NEWSMON_STORY_MAX_CANDIDATES",
}


@dataclass(frozen=True)
class StoryParams:
    """Thresholds and LSH shape, from the NEWSMON_STORY_* settings.

    Measured on tests/fixtures/stories/pairs.jsonl (3-word shingles, estimated Jaccard): edited
    copies score 0.56 and more, different news 0.45 and less except templated reports (up to
    0.63), which the figure check rejects: their figures overlap 0.5 at most, copies' fully.
    Retellings that reword most sentences (0.2-0.35) stay below the threshold: a lower one
    would let same-topic news in.
    """

    threshold: float = 0.5  # estimated Jaccard of body shingles to join a story
    num_perm: int = 128  # MinHash permutations
    bands: int = 32  # LSH bands of num_perm / bands rows: candidates from a Jaccard of ~0.4
    shingle: int = 3  # words per shingle
    figure_overlap: float = 0.7  # share of the smaller set of figures found in the other
    max_candidates: int = 20  # most-shared candidates verified per article

    def __post_init__(self) -> None:
        if self.num_perm % self.bands or not 0 < self.bands <= self.num_perm:
            raise ValueError(f"NEWSMON_STORY_BANDS ({self.bands}) must divide NEWSMON_STORY_NUM_PERM ({self.num_perm})")
        if self.shingle < 1 or self.max_candidates < 1:
            raise ValueError("NEWSMON_STORY_SHINGLE and NEWSMON_STORY_MAX_CANDIDATES must be at least 1")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "StoryParams":
        defaults = cls()
        values = {}
        for field_name, setting in SETTING_NAMES.items():
            default = getattr(defaults, field_name)
            values[field_name] = type(default)(settings.get(setting, default))
        return cls(**values)

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands


@dataclass(frozen=True, eq=False)
class Sketch:
    """What the story index keeps of an article: MinHash signature and hashed figures."""

    signature: np.ndarray  # uint32[num_perm]
    figures: frozenset[int]  # crc32 of each normalized figure
    # LSH band keys (`band_keys`), computed once with the signature; a sketch read back from
    # the store is only verified against, so it has none.
    keys: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """A text without words: it can neither match nor be matched."""
        return bool((self.signature == _EMPTY_HASH).all())

    def to_bytes(self) -> bytes:
        figures = np.array(sorted(self.figures), dtype="<u4")
        header = _SKETCH_HEADER.pack(len(self.signature), len(figures))
        return header + self.signature.astype("<u4").tobytes() + figures.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Sketch":
        num_perm, figure_count = _SKETCH_HEADER.unpack_from(data)
        signature = np.frombuffer(data, "<u4", num_perm, _SKETCH_HEADER.size)
        figures = np.frombuffer(data, "<u4", figure_count, _SKETCH_HEADER.size + 4 * num_perm)
        return cls(signature.astype(np.uint32), frozenset(figures.tolist()))


def shingles(text: str, size: int) -> set[bytes]:
    """Overlapping runs of `size` normalized words (case, punctuation and layout ignored), as
    UTF-8: the form they are hashed in, encoded once for the whole text."""
    words = normalize_for_fingerprint(text).encode("utf-8").split()
    if len(words) <= size:
        return {b" ".join(words)} if words else set()
    return {b" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def figures(text: str) -> frozenset[str]:
    """The numbers a text mentions, spelled alike: `1,7` = `1.7`, `03` = `3`."""
    found = set()
    for token in _FIGURE.findall(text):
        found.add((token.lstrip("0") or "0") if token.isdigit() else token.replace(",", "."))
    return frozenset(found)


_per_thread = threading.local()


def _blank_minhash(num_perm: int) -> MinHash:
    """A cleared MinHash of this thread: building one (permutations included) costs more than
    hashing an article, so each thread keeps one per size and reuses it."""
    minhashes = _per_thread.__dict__
    minhash = minhashes.get(num_perm)
    if minhash is None:
        minhash = minhashes[num_perm] = MinHash(
            num_perm=num_perm,
            seed=MINHASH_SEED,
            scheme="affine32",
            # crc32 is deterministic across processes (unlike hash()) and 6x faster than the
            # default sha1; datasketch's affine32 scheme mixes its output before permuting.
            hashfunc=zlib.crc32,
        )
    else:
        minhash.clear()
    return minhash


def make_sketch(text: str, params: StoryParams) -> Sketch:
    """The sketch of an article body: MinHash of its shingles, crc32 of its figures."""
    minhash = _blank_minhash(params.num_perm)
    minhash.update_batch(shingles(text, params.shingle))
    sketch = Sketch(minhash.hashvalues.astype(np.uint32), frozenset(zlib.crc32(f.encode()) for f in figures(text)))
    return dataclasses.replace(sketch, keys=tuple(band_keys(sketch, params)))


def band_keys(sketch: Sketch, params: StoryParams) -> list[str]:
    """One key per LSH band: equal keys mean the band's rows of both signatures are equal.

    The LSH shape is part of every key, so an index built with other settings never matches.
    """
    if sketch.is_empty:
        return []
    person = f"nm{params.shingle}.{params.num_perm}.{params.bands}".encode()[:16]
    rows = sketch.signature.astype("<u4").reshape(params.bands, params.rows)
    return [
        hashlib.blake2b(band.to_bytes(2, "little") + row.tobytes(), digest_size=8, person=person).hexdigest()
        for band, row in enumerate(rows)
    ]


def estimated_jaccard(a: Sketch, b: Sketch) -> float:
    return float(np.count_nonzero(a.signature == b.signature)) / len(a.signature)


def figure_overlap(a: frozenset[int], b: frozenset[int]) -> float:
    """Share of the smaller set found in the larger: an added sentence with new figures is fine."""
    if not a or not b:
        return 1.0  # no figures on one side: nothing to contradict
    return len(a & b) / min(len(a), len(b))


def same_story(a: Sketch, b: Sketch, params: StoryParams) -> bool:
    if a.is_empty or b.is_empty or len(a.signature) != len(b.signature):
        return False
    return estimated_jaccard(a, b) >= params.threshold and figure_overlap(a.figures, b.figures) >= params.figure_overlap


class StoryIndex:
    """Story ids for a stream of articles: the persisted index plus the unflushed batch.

    `assign` before the article goes to the store; `commit` with the batch and its outcomes
    once the store has written it.
    """

    def __init__(self, store: Store, params: StoryParams) -> None:
        self.store = store
        self.params = params
        # All three are cleared by `commit`, so memory is bounded by the batch size.
        self._awaiting: dict[str, Sketch] = {}  # content hash -> sketch, articles on their way to the store
        self._founded: dict[str, Sketch] = {}  # story id -> sketch, stories not in the index yet
        self._founded_bands: dict[str, list[str]] = {}  # band key -> story ids of `_founded`

    def sketch(self, article: Article) -> Sketch:
        """The article's sketch: pure work, which `assign` can be handed from another process."""
        return make_sketch(article.body, self.params)

    def assign(self, article: Article, sketch: Sketch | None = None) -> str:
        """Set `article.story_id` (an id it already carries, e.g. from an export, is kept)."""
        if sketch is None:
            sketch = self.sketch(article)
        self._awaiting[article.content_hash] = sketch
        if article.story_id:
            if not self._is_known(article.story_id):
                self._found(article.story_id, sketch)
            return article.story_id
        article.story_id = self.find(sketch) or self._found(article.content_hash, sketch)
        return article.story_id

    def find(self, sketch: Sketch) -> str | None:
        """The most similar verified story among those sharing a band with `sketch`."""
        keys = sketch.keys
        if not keys:
            return None
        shared = Counter(self.store.story_candidates(keys))
        for key in keys:
            # Most keys have no story of the unflushed batch: skip them without Counter.update's
            # per-call overhead (this runs 32 times per article).
            if founded := self._founded_bands.get(key):
                shared.update(founded)
        ranked = [story_id for story_id, _ in shared.most_common(self.params.max_candidates)]
        sketches = {story_id: self._founded[story_id] for story_id in ranked if story_id in self._founded}
        stored = [story_id for story_id in ranked if story_id not in sketches]
        if stored:
            sketches.update((sid, Sketch.from_bytes(data)) for sid, data in self.store.story_sketches(stored).items())
        verified = [(estimated_jaccard(sketch, other), sid) for sid, other in sketches.items() if same_story(sketch, other, self.params)]
        return max(verified)[1] if verified else None

    def commit(self, batch: Sequence[Article], outcomes: Sequence[str]) -> tuple[int, int]:
        """Index the stories first stored in this batch; returns (new stories, articles that joined one).

        Only inserted articles count. A story's first inserted article indexes it, so a story
        whose founder turned out to be a duplicate is indexed under its first stored copy.
        """
        new = joined = 0
        sketches: list[tuple[str, bytes]] = []
        bands: list[tuple[str, str]] = []
        try:
            for article, outcome in zip(batch, outcomes):
                sketch = self._awaiting.get(article.content_hash)
                if outcome != INSERTED or sketch is None:
                    continue
                if self._founded.pop(article.story_id, None) is None:
                    joined += 1
                    continue
                new += 1
                sketches.append((article.story_id, sketch.to_bytes()))
                bands.extend((key, article.story_id) for key in sketch.keys)
            if sketches:
                # Sketches first: a band found by another process always has its sketch to verify.
                self.store.add_story_sketches(sketches)
                self.store.add_story_bands(bands)
        finally:
            self._awaiting.clear()
            self._founded.clear()
            self._founded_bands.clear()
        return new, joined

    def _is_known(self, story_id: str) -> bool:
        return story_id in self._founded or bool(self.store.story_sketches([story_id]))

    def _found(self, story_id: str, sketch: Sketch) -> str:
        self._founded[story_id] = sketch
        for key in sketch.keys:
            self._founded_bands.setdefault(key, []).append(story_id)
        return story_id
