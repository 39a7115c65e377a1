"""Deterministic language detection (langdetect, seeded).

In: text. Out: an ISO 639-1 code and its probability, or None for text too short or
too ambiguous to call. langdetect samples at random, so the factory is seeded once and
every call gives the same answer for the same text.
"""

from functools import lru_cache

from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0
MIN_CHARS = 20


@lru_cache(maxsize=65_536)
def detect(text: str) -> tuple[str, float] | None:
    """The most likely language of `text` as (code, probability), or None."""
    if len(text.strip()) < MIN_CHARS:
        return None
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return None
    return best.lang.split("-")[0], round(best.prob, 3)
