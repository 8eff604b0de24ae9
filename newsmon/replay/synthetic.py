"""Generated article texts for benchmarks: distinct stories whose words overlap as news does.

Unrelated articles of one outlet share common words but few others, so the story index sees
few candidates per lookup, as on a real site (texts recombined from a handful of sentences
would share nearly every word, and every lookup would find every story).
"""
from __future__ import annotations

import random

_SYLLABLES = ("ba", "ka", "la", "ma", "na", "ra", "sa", "ta", "və", "də", "lı", "rı", "ov", "an", "ər", "iz", "ul", "ək")


def pseudo_words(rng: random.Random, count: int) -> list[str]:
    """`count` made-up words of two to four syllables (some repeat, as short words do)."""
    return ["".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(count)]


def synthetic_text(rng: random.Random, vocabulary: list[str]) -> str:
    """Four to six paragraphs of two to four sentences, word frequencies roughly Zipfian, a few
    figures and capitalized names."""
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

    def sentence() -> str:
        words = rng.choices(vocabulary, weights, k=rng.randint(8, 20))
        words[rng.randrange(1, len(words))] = str(rng.randint(1, 9999))
        words[rng.randrange(1, len(words))] = rng.choice(vocabulary[:300]).capitalize()
        return " ".join(words).capitalize() + "."

    return "\n\n".join(" ".join(sentence() for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(4, 6)))
