"""The keys a case is found by, and the key ranges a search text asks for.

A case's keys are short strings in one indexed column, each in its own namespace:

- `n:` a word of a person's name as typed, folded (case, diacritics and Arabic letter variants ignored);
- `s:` the word's consonant skeleton in Latin (names.py), which joins محمد, Mohammed and Muhammad;
- `r:` a reference (the case's, the partner's, a decision's), letters and digits only, lower case:
  "LEB-26-009911", "leb 26 009911" and "LEB26009911" are one reference.

A search word matches a key it is a prefix of, so each word asks for ranges `low <= key < high` that a
B-tree index answers on every backend (the key column compares bytes: PostgreSQL's collation "C").
"""

import re
from dataclasses import dataclass

from models.search import KEY_LENGTH
from passage.core.names import folded, skeleton

NAME, SKELETON, REF = "n:", "s:", "r:"
_PART = KEY_LENGTH - 2
_NOT_ALNUM = re.compile(r"[^\w]|_")
_LATIN_ARTICLES = frozenset({"al", "el"})
SHORT = 2  # a skeleton of this many consonants or fewer is matched whole, never as a prefix


def name_keys(name: str) -> set[str]:
    """The keys of one name: each word folded, and each word's skeleton (an article has none)."""
    keys = set()
    for word in folded(name).split():
        keys.add(NAME + word[:_PART])
        # The article "al" sounds like "Ali" ("l"): it is found as typed only.
        if word not in _LATIN_ARTICLES and (sound := skeleton(word)):
            keys.add(SKELETON + sound[:_PART])
    return keys


def ref_key(reference: str) -> str | None:
    """A reference as a key (None for one without letters or digits)."""
    bare = _NOT_ALNUM.sub("", reference.casefold())[:_PART]
    return REF + bare if bare else None


def prefix_range(prefix: str) -> tuple[str, str]:
    """The keys that start with `prefix`: low inclusive, high exclusive (the last character plus one)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


@dataclass(frozen=True)
class Term:
    """One search word: a case matches it if one of its keys lies in one of `ranges`."""

    word: str
    ranges: tuple[tuple[str, str | None], ...]  # (low, high), or (key, None): that key exactly


def name_terms(text: str) -> list[Term]:
    """One term per word of `text`: its folded form or its skeleton as a prefix of a name word.

    The skeleton is asked for both as a whole word's ("Fatimah" → "ftm") and as the start of one ("Moham" →
    "mhm"). A skeleton of one or two consonants ("Ali" → "l", "Haddad" → "hd") is matched whole: as a prefix
    it would match a good part of all names (Hadi, Huda, Haidar...). The articles al- and el- are no words
    of their own (names.py), unless the text is nothing else.
    """
    words = folded(text).split()
    words = [w for w in words if w not in _LATIN_ARTICLES] or words
    terms = []
    for word in words:
        ranges: set[tuple[str, str | None]] = {prefix_range(NAME + word[:_PART])}
        for sound in {skeleton(word)[:_PART], skeleton(word, whole=False)[:_PART]}:
            if len(sound) > SHORT:
                ranges.add(prefix_range(SKELETON + sound))
            elif sound:
                ranges.add((SKELETON + sound, None))
        terms.append(Term(word=word, ranges=tuple(sorted(ranges, key=str))))
    return terms


def ref_term(text: str) -> Term | None:
    """The whole of `text` as (a prefix of) a reference; None where it holds no letter or digit."""
    key = ref_key(text)
    return Term(word=key, ranges=(prefix_range(key),)) if key else None
