"""Names made comparable across scripts and spellings, for search and duplicate detection.

A case worker types "Mohammed", the referral says "محمد", the IND letter "Muhammad": the same person.
Two keys are derived from a name, never stored in its place (the name itself stays exactly as given):

- `folded(text)`: the name as typed, case- and diacritics-insensitive (Latin accents, Arabic harakat,
  alef and yeh variants, tatweel), for "as typed" matching in its own script.
- `skeletons(text)`: each word transliterated to Latin (anyascii, a maintained table of every script),
  reduced to its consonant skeleton: vowels dropped (Arabic and Dari are written without most of
  them, so their transliteration has none), doubled letters collapsed, a final h (taa marbuta) and the
  article (al-, el-, ال) dropped, q read as k. "محمد", "Mohammed" and "Muhammad" all become "mhmd".
- `name_key(text)`: the skeletons in one indexable string, so that "the same name" is one equality in SQL.

No library does the skeleton: transliteration libraries give one spelling, and phonetic codes
(Soundex, Metaphone) are built for English names and drop too much of an Arabic one.
"""

import re
import unicodedata

from anyascii import anyascii

# Arabic letters written in several forms that a typist uses interchangeably.
_ARABIC_SAME = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ك": "ک", "ـ": None})
_WORD = re.compile(r"[^\W_]+")
_ARTICLE = "ال"
_LATIN_ARTICLES = frozenset({"al", "el"})
_VOWELS = re.compile(r"[aeiou]")
_INNER_SEMIVOWELS = re.compile(r"(?<=.)[wy]")
_DOUBLES = re.compile(r"(.)\1+")


def folded(text: str) -> str:
    """`text` lower-cased, without diacritics or Arabic letter variants, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ARABIC_SAME))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", bare).casefold()))


def _without_article(word: str) -> str:
    """An Arabic word without its article ("الأحمد" → "احمد"); a Latin one is a word of its own ("al-Ahmad")."""
    return word[len(_ARTICLE) :] if word.startswith(_ARTICLE) and len(word) > len(_ARTICLE) + 2 else word


def skeleton(word: str, *, whole: bool = True) -> str:
    """One word's consonant skeleton in Latin letters ("" for a word of vowels only, e.g. "Ali" → "l").

    `whole=False` reads `word` as the start of a word (a search typed so far): its final h is kept, for the
    h of "Moh" begins Mohammed.
    """
    latin = "".join(ch for ch in anyascii(_without_article(word)).lower() if "a" <= ch <= "z")
    consonants = _VOWELS.sub("", _INNER_SEMIVOWELS.sub("", latin.replace("q", "k")))
    if len(consonants) <= 1:
        return consonants
    collapsed = _DOUBLES.sub(r"\1", consonants)
    return collapsed.removesuffix("h") if whole else collapsed


def skeletons(text: str) -> list[str]:
    """The skeleton of each word of `text` (Latin, Arabic or Dari script), articles on their own left out."""
    keys = [skeleton(word) for word in folded(text).split() if word not in _LATIN_ARTICLES]
    return [key for key in keys if key]


def same_name(first: str, second: str) -> bool:
    """Likely the same name: equal when folded, or the same skeletons in any order."""
    if folded(first) == folded(second):
        return True
    left, right = skeletons(first), skeletons(second)
    return bool(left) and sorted(left) == sorted(right)


def name_key(text: str) -> str:
    """The skeletons sorted and joined ("Ahmad Mohammed" → "hmd mhmd"): names with one key are `same_name`.

    A name without consonants ("Aia") has no skeleton: its key is the name folded, so that it still only
    meets itself.
    """
    return " ".join(sorted(skeletons(text))) or folded(text)
