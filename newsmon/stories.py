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
import functools
import hashlib
import logging
import re
import struct
import time
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
from newsmon.store.base import INSERTED, IndexedStory

logger = logging.getLogger(__name__)

__all__ = [
    "Sketch",
    "StoryIndex",
    "StoryParams",
    "band_keys",
    "ensure_index_format",
    "estimated_jaccard",
    "figure_overlap",
    "figures",
    "make_sketch",
    "minhash_signature",
    "rebuild_index",
    "same_story",
    "shingle_hashes",
]

# Fixed so that signatures computed by any process or run are comparable.
MINHASH_SEED = 1
_EMPTY_HASH = np.uint32(0xFFFFFFFF)  # datasketch's value for "no shingle seen"
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_FIGURE_RUN = re.compile(r"\d[\d.,]*")
_SKETCH_HEADER = struct.Struct("<II")  # num_perm, number of figures
_GOLDEN_64 = np.uint64(0x9E3779B97F4A7C15)  # odd, bits well spread: a multiplier for hash mixing
# Changes whenever sketches or band keys are computed differently: an index of another
# format is rebuilt from the stored articles (`ensure_index_format`).
SKETCH_VERSION = 2

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

    @property
    def index_format(self) -> str:
        """What a stored index must have been built with to be searched with these params."""
        return f"minhash-v{SKETCH_VERSION} shingle={self.shingle} num_perm={self.num_perm} bands={self.bands}"


@dataclass(frozen=True, eq=False)
class Sketch:
    """What the story index keeps of an article: MinHash signature and hashed figures."""

    signature: np.ndarray  # uint32[num_perm]
    figures: frozenset[int]  # crc32 of each normalized figure
    # LSH band keys (`band_keys`), computed once with the signature; a sketch read back from
    # the store is only verified against, so it has none.
    keys: tuple[int, ...] = ()

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

    def __reduce__(self) -> tuple[Any, ...]:
        # The signature travels as bytes: half the cost of numpy's own pickling, which counts
        # for the offline loader handing every sketch over from its worker processes.
        return _unpickle_sketch, (self.signature.tobytes(), self.figures, self.keys)


def _unpickle_sketch(signature: bytes, figures: frozenset[int], keys: tuple[int, ...]) -> Sketch:
    return Sketch(np.frombuffer(signature, np.uint32), figures, keys)


def shingle_hashes(text: str, size: int) -> np.ndarray:
    """32-bit hashes of the overlapping runs of `size` normalized words (case, punctuation and
    layout ignored); a text of fewer words is one run of them all.

    Each word is hashed once (crc32: deterministic across processes, unlike hash()) and a
    run's hash folds its words' hashes in order, so no shingle string is ever built: half the
    cost of joining and hashing every run.
    """
    words = normalize_for_fingerprint(text).encode("utf-8").split()
    if not words:
        return np.empty(0, np.uint32)
    word_hashes = np.fromiter(map(zlib.crc32, words), np.uint64, len(words))
    runs = max(len(words) - size + 1, 1)
    combined = word_hashes[:runs]
    for offset in range(1, min(size, len(words))):
        combined = combined * _GOLDEN_64 + word_hashes[offset : offset + runs]  # wraps modulo 2**64
    return (combined ^ (combined >> np.uint64(32))).astype(np.uint32)


def figures(text: str) -> frozenset[str]:
    """The numbers a text mentions, spelled alike: `1,7` = `1.7`, `03` = `3`."""
    found = set()
    # Every figure lies inside one run of digits, dots and commas: finding the runs first
    # scans an article twice as fast as the figure pattern, which then only sees the runs.
    for run in _FIGURE_RUN.findall(text):
        for token in _FIGURE.findall(run):
            found.add((token.lstrip("0") or "0") if token.isdigit() else token.replace(",", "."))
    return frozenset(found)


@functools.lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations (a, b) for MINHASH_SEED."""
    return MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme="affine32").permutations


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies to each input."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def minhash_signature(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """The signature `datasketch.MinHash(scheme="affine32").update_batch(hashes)` gives (a test
    holds them equal), computed on the array in one go: update_batch takes a Python list and
    calls a hash function per item, which cost a third of the sketch."""
    if not len(hashes):
        return np.full(num_perm, _EMPTY_HASH, dtype=np.uint32)
    a, b = _permutations(num_perm)
    return (_fmix32(hashes)[:, np.newaxis] * a + b).min(axis=0)


def make_sketch(text: str, params: StoryParams) -> Sketch:
    """The sketch of an article body: MinHash of its shingles, crc32 of its figures."""
    signature = minhash_signature(shingle_hashes(text, params.shingle), params.num_perm)
    sketch = Sketch(signature, frozenset(zlib.crc32(f.encode()) for f in figures(text)))
    return dataclasses.replace(sketch, keys=tuple(band_keys(sketch, params)))


@functools.lru_cache(maxsize=8)
def _band_salts(index_format: str, bands: int) -> np.ndarray:
    """One 64-bit starting value per band, derived from the index format."""
    return np.array(
        [int.from_bytes(hashlib.blake2b(f"{index_format}/{band}".encode(), digest_size=8).digest(), "little") for band in range(bands)],
        dtype=np.uint64,
    )


def band_keys(sketch: Sketch, params: StoryParams) -> list[int]:
    """One signed 64-bit key per LSH band: equal keys mean the band's rows of both signatures
    are (all but certainly) equal.

    The index format (LSH shape included) seeds every key, so an index built with other
    settings never matches. Computed for all bands at once with numpy: a keyed hash per band
    cost as much as the MinHash itself.
    """
    if sketch.is_empty:
        return []
    rows = sketch.signature.astype(np.uint64).reshape(params.bands, params.rows)
    keys = _band_salts(params.index_format, params.bands)
    for column in rows.T:
        keys = (keys ^ column) * _GOLDEN_64
    # splitmix64's finalizer, so that every bit of a key depends on every row.
    keys = (keys ^ (keys >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    keys = (keys ^ (keys >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    keys = keys ^ (keys >> np.uint64(31))
    return keys.view(np.int64).tolist()


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
        self._founded_bands: dict[int, tuple[str, ...]] = {}  # band key -> story ids of `_founded`

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
        stored_candidates = self.store.story_candidates(keys)
        # Usually no key has a story of the unflushed batch: one set intersection finds out.
        pending_keys = self._founded_bands.keys() & keys
        if not stored_candidates and not pending_keys:
            return None  # most articles: nothing shares a band
        shared = Counter(stored_candidates)
        for key in pending_keys:
            shared.update(self._founded_bands[key])
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
        stories: list[IndexedStory] = []
        try:
            for article, outcome in zip(batch, outcomes):
                sketch = self._awaiting.get(article.content_hash)
                if outcome != INSERTED or sketch is None:
                    continue
                if self._founded.pop(article.story_id, None) is None:
                    joined += 1
                    continue
                new += 1
                stories.append((article.story_id, sketch.to_bytes(), sketch.keys))
            if stories:
                self.store.add_stories(stories)
        finally:
            self._awaiting.clear()
            self._founded.clear()
            self._founded_bands.clear()
        return new, joined

    def _is_known(self, story_id: str) -> bool:
        return story_id in self._founded or bool(self.store.story_sketches([story_id]))

    def _found(self, story_id: str, sketch: Sketch) -> str:
        self._founded[story_id] = sketch
        bands, founder = self._founded_bands, (story_id,)
        # Whole-dict operations rather than a Python loop over the keys: a band key rarely
        # already has a story of the batch (a near-miss that failed verification).
        shared = {key: bands[key] + founder for key in bands.keys() & sketch.keys}
        bands.update(dict.fromkeys(sketch.keys, founder))
        bands.update(shared)
        return story_id


# Articles' sketches per write while rebuilding an index: bounds memory, amortizes the writes.
_REBUILD_CHUNK = 500


def ensure_index_format(store: Store, params: StoryParams) -> int:
    """Make the store's story index searchable with `params`; returns the stories re-indexed.

    An index built in another format (older sketches, another LSH shape) would never match a
    new article, so every story would silently start afresh: it is rebuilt from the stored
    articles instead, once, and the new format recorded last, so an interrupted rebuild is
    started again by the next run. Processes starting together rebuild once: the store's
    `story_index_rebuild` lock makes the others wait, and they find the index rebuilt.
    """
    wanted = params.index_format
    if store.story_index_format() == wanted:
        return 0
    with store.story_index_rebuild():  # one process rebuilds; the others wait for it here
        recorded = store.story_index_format()
        if recorded == wanted:
            return 0  # rebuilt by the process this one waited for
        articles = store.count()
        if articles:
            logger.warning("story index format is %r, not %r: re-indexing the stories of %d stored articles",
                           recorded or "(none)", wanted, articles)
        started = time.monotonic()
        indexed = rebuild_index(store, params)
        store.set_story_index_format(wanted)
    if articles:
        logger.warning("story index rebuilt: %d stories in %.1f s", indexed, time.monotonic() - started)
    return indexed


def rebuild_index(store: Store, params: StoryParams) -> int:
    """Index every stored story afresh, under the sketch of its founding article (whose content
    hash is the story id) or, when that is gone, of another of its articles."""
    store.reset_story_index()
    indexed: set[str] = set()
    chunk: list[IndexedStory] = []

    def index(article: Article) -> None:
        nonlocal chunk
        indexed.add(article.story_id)
        sketch = make_sketch(article.body, params)
        chunk.append((article.story_id, sketch.to_bytes(), sketch.keys))
        if len(chunk) >= _REBUILD_CHUNK:
            store.add_stories(chunk)
            chunk = []

    not_founded: set[str] = set()  # stories of articles that copy their founder
    for article in store.query():
        if article.story_id and article.story_id == article.content_hash:
            index(article)
        elif article.story_id:
            not_founded.add(article.story_id)
    orphans = not_founded - indexed  # stories whose founder is gone
    if orphans:  # only then a second pass over the articles
        for article in store.query():
            if article.story_id in orphans and article.story_id not in indexed:
                index(article)
    if chunk:
        store.add_stories(chunk)
    return len(indexed)
