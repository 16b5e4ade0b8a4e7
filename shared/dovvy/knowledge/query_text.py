"""What a question becomes for each leg of the search (knowledge/retrieval.py): the vector leg
embeds its words less grammar, as typed; the keyword leg weighs them with the articles' words for
what it says otherwise (catalogue/concepts.py)."""

from __future__ import annotations

from dovvy.catalogue.concepts import usage
from dovvy.text import CHAT_WORDS, GRAMMAR_WORDS, SHARED_DIVING_WORDS, WORD

_NOT_KEYWORDS = SHARED_DIVING_WORDS | CHAT_WORDS
_LEFT_OUT = GRAMMAR_WORDS | _NOT_KEYWORDS


def focus(text: str) -> str:
    """The question without its grammar: static embeddings average every token, so words like
    "how" and "do" would pull every question towards every other."""
    words = [w for w in WORD.findall(text) if w.lower() not in _LEFT_OUT]
    return " ".join(words) or text


def usage_params(query: str) -> dict[str, list[str]]:
    """Divers' phrases in the question and the standard terms for them, for the keyword leg."""
    said = usage(query)
    return {"said": [phrase for phrase, _ in said], "said_means": [keyword_query(m) for _, m in said]}


def keyword_query(text: str) -> str:
    """The question's words less the ones every diving passage shares; PostgreSQL's `english`
    configuration then stems them and drops its stop words, and BM25 weighs what is left."""
    return " ".join(word for word in WORD.findall(text) if word.lower() not in _NOT_KEYWORDS)
