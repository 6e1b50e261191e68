"""Keyword extraction with YAKE: statistics of one text, no model, no training (lower score = more relevant)."""

from __future__ import annotations


def extract_keywords(text: str, top_k: int = 5, max_words: int = 2) -> list[tuple[str, float]]:
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=max_words, top=top_k, dedupLim=0.7)
    return [(keyword, float(score)) for keyword, score in extractor.extract_keywords(text)]
