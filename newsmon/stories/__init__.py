"""Stories: every copy, rewrite and translation of one event shares a story id.

`sketch` is pure (what an article is to the matcher, whether two articles tell one event);
`index` looks stories up and records them through the store.
"""
from newsmon.stories.index import StoryIndex, StoryLookup, article_sketch, ensure_index_format, rebuild_index
from newsmon.stories.sketch import COPY, MATCH_KINDS, REWRITE, TRANSLATION, Match, Sketch, StoryParams, compare, make_sketch, same_story

__all__ = [
    "COPY",
    "MATCH_KINDS",
    "REWRITE",
    "TRANSLATION",
    "Match",
    "Sketch",
    "StoryIndex",
    "StoryLookup",
    "StoryParams",
    "article_sketch",
    "compare",
    "ensure_index_format",
    "make_sketch",
    "rebuild_index",
    "same_story",
]
