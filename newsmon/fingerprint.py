"""Content fingerprints: equal for the same article whatever its source or formatting.

The hash is taken over title and body after case folding and after dropping punctuation and
white space, so a file re-saved with other line ends, a crawled page and a loaded dump of the
same article all fingerprint alike.
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

_WORD = re.compile(r"\w+")


# Cached: the cleaning step fingerprints a body and the story step then sketches the same
# string; a few entries are enough for that hand-over.
@functools.lru_cache(maxsize=16)
def normalize_for_fingerprint(text: str) -> str:
    """Case-folded words separated by single spaces; punctuation and layout removed."""
    folded = unicodedata.normalize("NFKC", text).replace("İ", "i").replace("ı", "i").casefold()
    # Joining the words is faster than substituting the gaps and stripping the ends; and turning
    # underscores into spaces first is faster than leaving them out of the word class.
    return " ".join(_WORD.findall(folded.replace("_", " ")))


def content_hash(title: str, body: str) -> str:
    """32 hex digits identifying the article's text (blake2b-128 of the normalized text)."""
    normalized = normalize_for_fingerprint(title) + "\n" + normalize_for_fingerprint(body)
    return hashlib.blake2b(normalized.encode("utf-8"), digest_size=16).hexdigest()
