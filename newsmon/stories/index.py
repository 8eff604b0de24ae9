"""The story index: which stored story an article tells, looked up through the store.

How an article finds its story:
1. Its sketch (newsmon.stories.sketch): a MinHash of its words, its figures and names, its
   language and publication time; and the sketch's LSH keys: bands of the word signature, and
   bands of a MinHash of its figures and names keyed by the publication time's window.
2. The store maps keys to the stories indexed under them, so a lookup costs a few indexed
   reads whatever the corpus size (the anchor keys of a window name only that window's stories).
3. Candidates sharing a key are verified against their story's stored sketch (`compare`): a
   copy or rewrite in the same language, a translation in another; the best match wins.
4. No verified candidate: a new story, whose id is the article's content hash (stable: the same
   first article always founds the same story id).

A story is indexed under the sketch of its first stored article, and under that of its first
translation into each other language (index entry `<story id> @<lang>`), so that the rewrites
of a translation are found, and labelled, as rewrites of it.

A story is indexed under the sketch of its first stored article, and only once the store has
inserted that article, so a duplicate the store turns away never becomes a story. Stories
founded in the current, unflushed batch are matched from memory until the flush.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from newsmon.items import Article
from newsmon.store.base import INSERTED, IndexedStory
from newsmon.stories.sketch import TRANSLATION, Match, Sketch, StoryParams, compare, make_sketch

logger = logging.getLogger(__name__)

__all__ = ["StoryIndex", "StoryLookup", "article_sketch", "ensure_index_format", "rebuild_index", "story_of_entry"]


class StoryLookup(Protocol):
    """What the index needs of a store (newsmon.store.base.Store, or the story step's adapter)."""

    def story_candidates(self, band_keys: Sequence[int]) -> dict[str, int]: ...

    def story_sketches(self, story_ids: Sequence[str]) -> dict[str, bytes]: ...

    def add_stories(self, stories: Iterable[IndexedStory]) -> None: ...


class RebuildableStore(StoryLookup, Protocol):
    """What rebuilding the index needs of a store besides lookups."""

    def story_index_format(self) -> str: ...

    def set_story_index_format(self, index_format: str) -> None: ...

    def reset_story_index(self) -> None: ...

    def story_index_rebuild(self) -> AbstractContextManager[None]: ...

    def count(self) -> int: ...

    def query(self) -> Iterator[Article]: ...


def article_sketch(article: Article, params: StoryParams) -> Sketch:
    """The sketch of a cleaned, dated article: pure work, which a worker process may do."""
    return make_sketch(
        article.body, params, title=article.title, lang=article.lang, outlet=article.outlet, published=article.published_at
    )


# An index entry of a story in another language than its founder's: `<story id> @<lang>`.
_LANGUAGE_ENTRY = " @"


def _indexed(story_id: str, sketch: Sketch) -> IndexedStory:
    return story_id, sketch.to_bytes(), sketch.index_keys


def _translation_entry(story_id: str, sketch: Sketch) -> IndexedStory:
    """The entry a story's translation is indexed under (the first one per language stays)."""
    return _indexed(f"{story_id}{_LANGUAGE_ENTRY}{sketch.lang}", sketch)


def story_of_entry(entry: str) -> str:
    """The story an index entry belongs to."""
    return entry.partition(_LANGUAGE_ENTRY)[0]


class StoryIndex:
    """Story ids for a stream of articles: the persisted index plus the unflushed batch.

    `assign` before the article goes to the store; `commit` with the batch and its outcomes
    once the store has written it.
    """

    def __init__(self, store: StoryLookup, params: StoryParams) -> None:
        self.store = store
        self.params = params
        # All three are cleared by `commit`, so memory is bounded by the batch size.
        self._awaiting: dict[str, Sketch] = {}  # content hash -> sketch, articles on their way to the store
        self._founded: dict[str, Sketch] = {}  # story id -> sketch, stories not in the index yet
        self._founded_keys: dict[int, tuple[str, ...]] = {}  # index key -> story ids of `_founded`

    def sketch(self, article: Article) -> Sketch:
        return article_sketch(article, self.params)

    def assign(self, article: Article, sketch: Sketch | None = None) -> str:
        """Set `article.story_id` and how it joined (`story_match`, `story_evidence`); an id it
        already carries, e.g. from an export, is kept with its evidence."""
        if sketch is None:
            sketch = self.sketch(article)
        self._awaiting[article.content_hash] = sketch
        if article.story_id:
            if not self._is_known(article.story_id):
                self._found(article.story_id, sketch)
            return article.story_id
        found = self.find(sketch)
        if found is None:
            article.story_id = self._found(article.content_hash, sketch)
            article.story_match = article.story_evidence = ""
        else:
            article.story_id, match = found
            article.story_match, article.story_evidence = match.kind, match.evidence()
        return article.story_id

    def find(self, sketch: Sketch) -> tuple[str, Match] | None:
        """The best verified story among those sharing a key with `sketch`, and how it matched."""
        keys = sketch.query_keys
        if not keys:
            return None
        stored_candidates = self.store.story_candidates(keys)
        # Usually no key has a story of the unflushed batch: one set intersection finds out.
        pending_keys = self._founded_keys.keys() & keys
        if not stored_candidates and not pending_keys:
            return None  # most articles: nothing shares a key
        shared = Counter(stored_candidates)
        for key in pending_keys:
            shared.update(self._founded_keys[key])
        ranked = [story_id for story_id, _ in shared.most_common(self.params.max_candidates)]
        sketches = {story_id: self._founded[story_id] for story_id in ranked if story_id in self._founded}
        stored = [story_id for story_id in ranked if story_id not in sketches]
        if stored:
            sketches.update((sid, Sketch.from_bytes(data)) for sid, data in self.store.story_sketches(stored).items())
        matches = [(match.score, entry, match) for entry, other in sketches.items() if (match := compare(sketch, other, self.params))]
        if not matches:
            return None
        _, entry, match = max(matches, key=lambda found: found[:2])
        return story_of_entry(entry), match

    def commit(self, batch: Sequence[Article], outcomes: Sequence[str]) -> Counter[str]:
        """Index the stories first stored in this batch; returns how many inserted articles
        founded a story (`new`) and joined one (`joined`, and by kind: `copy`, `rewrite`, ...).

        Only inserted articles count. A story's first inserted article indexes it, so a story
        whose founder turned out to be a duplicate is indexed under its first stored copy.
        """
        counts: Counter[str] = Counter()
        stories: list[IndexedStory] = []
        try:
            for article, outcome in zip(batch, outcomes):
                sketch = self._awaiting.get(article.content_hash)
                if outcome != INSERTED or sketch is None:
                    continue
                if self._founded.pop(article.story_id, None) is None:
                    counts["joined"] += 1
                    if article.story_match:
                        counts[article.story_match] += 1
                    if article.story_match == TRANSLATION:
                        stories.append(_translation_entry(article.story_id, sketch))
                    continue
                counts["new"] += 1
                stories.append(_indexed(article.story_id, sketch))
            if stories:
                self.store.add_stories(stories)
        finally:
            self._awaiting.clear()
            self._founded.clear()
            self._founded_keys.clear()
        return counts

    def _is_known(self, story_id: str) -> bool:
        return story_id in self._founded or bool(self.store.story_sketches([story_id]))

    def _found(self, story_id: str, sketch: Sketch) -> str:
        self._founded[story_id] = sketch
        keys, founder = self._founded_keys, (story_id,)
        # Whole-dict operations rather than a Python loop over the keys: a key rarely already
        # has a story of the batch (a near-miss that failed verification).
        shared = {key: keys[key] + founder for key in keys.keys() & sketch.index_keys}
        keys.update(dict.fromkeys(sketch.index_keys, founder))
        keys.update(shared)
        return story_id


# Articles' sketches per write while rebuilding an index: bounds memory, amortizes the writes.
_REBUILD_CHUNK = 500


def ensure_index_format(store: RebuildableStore, params: StoryParams) -> int:
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


def rebuild_index(store: RebuildableStore, params: StoryParams) -> int:
    """Index every stored story afresh, under the sketch of its founding article (whose content
    hash is the story id) or, when that is gone, of another of its articles."""
    store.reset_story_index()
    indexed: set[str] = set()
    chunk: list[IndexedStory] = []

    def index(article: Article) -> None:
        nonlocal chunk
        indexed.add(article.story_id)
        chunk.append(_indexed(article.story_id, article_sketch(article, params)))
        if len(chunk) >= _REBUILD_CHUNK:
            store.add_stories(chunk)
            chunk = []

    not_founded: set[str] = set()  # stories of articles that copy their founder
    for article in store.query():
        if article.story_id and article.story_id == article.content_hash:
            index(article)
        elif article.story_id:
            not_founded.add(article.story_id)
            if article.story_match == TRANSLATION:
                chunk.append(_translation_entry(article.story_id, article_sketch(article, params)))
    orphans = not_founded - indexed  # stories whose founder is gone
    if orphans:  # only then a second pass over the articles
        for article in store.query():
            if article.story_id in orphans and article.story_id not in indexed:
                index(article)
    if chunk:
        store.add_stories(chunk)
    return len(indexed)
