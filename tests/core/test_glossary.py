"""One Dutch word per concept: the inbox, the CLI and the notifications call a thing by the same Dutch word.

The glossary (docs/inbox.md, "Office time, one word per concept") names each concept's word; a Dutch entry
that uses one of the synonyms below reads as another thing to an office that works in Dutch ("Zaak" beside
"dossier")."""

import re
import tomllib

import pytest

from passage.core.i18n import LOCALES, catalog

# The word each concept is called by, as the inbox's own entry for it says.
GLOSSARY = {
    "case": "dossier",
    "task": "taak",
    "programme manager": "programmamanager",
    "case worker": "casemanager",
    "medical officer": "medisch adviseur",
    "movement officer": "reiscoördinator",
    "administrator": "beheerder",
    "Due": "Uiterste datum",
    "Step": "Stap",
    "Decision": "Besluit",
    "Inbox": "Inbox",
}

# Synonyms a Dutch entry must not use (whole words, any case), each with the word to use instead.
REJECTED = {
    r"zaak|zaken|casus|casussen": "dossier",
    r"reisbegeleiders?|reisco[oö]rdinatoren": "reiscoördinator",
    r"deadlines?|vervaldatum|vervaldata|termijnen?": "uiterste datum",
    r"beslissing(en)?": "besluit",
    r"behandelaars?|dossierbehandelaars?|caseworkers?": "casemanager (or 'toegewezen aan' for an assignee)",
    r"programmaleiders?|programmabeheerders?|programmaco[oö]rdinatoren|programmaco[oö]rdinator": "programmamanager",
    r"medisch (officier|functionaris|arts)|arts|artsen": "medisch adviseur",
    r"administrators?|systeembeheerders?": "beheerder",
    r"werkbak|postvak|takenlijst": "inbox",
    r"delegaties?": "vervanging",
}
_REJECTED = [(re.compile(rf"\b(?:{words})\b", re.IGNORECASE), instead) for words, instead in REJECTED.items()]


def dutch_entries() -> list[tuple[str, str, str]]:
    """(file, key, value) of every Dutch entry, read from the files as they are now (new files included)."""
    return [
        (path.name, key, value)
        for path in sorted((LOCALES / "nl").glob("*.toml"))
        for key, value in tomllib.loads(path.read_text(encoding="utf-8")).items()
    ]


@pytest.mark.parametrize(("english", "dutch"), GLOSSARY.items())
def test_each_concept_has_its_glossary_word(english: str, dutch: str) -> None:
    assert catalog("nl")[english] == dutch


def test_no_dutch_entry_uses_a_rejected_synonym() -> None:
    entries = dutch_entries()
    assert len(entries) > 500  # the scan reads every file
    found = [
        f"{name}: {key!r} = {value!r}: say {instead!r} for {match.group()!r}"
        for name, key, value in entries
        for pattern, instead in _REJECTED
        if (match := pattern.search(value))
    ]
    assert found == []


@pytest.mark.parametrize(
    "value",
    ["Zaak: RST-00001", "De zaken wachten", "Deadline: 16-01-2026", "de reisbegeleider", "een beslissing", "Casus"],
)
def test_the_check_catches_a_synonym(value: str) -> None:
    assert any(pattern.search(value) for pattern, _ in _REJECTED)


def test_the_check_leaves_compound_words_and_the_glossary_alone() -> None:
    """The IND's own "zaaknummer" is a word of its own; the glossary's words are what the check asks for."""
    assert not any(pattern.search("Het zaaknummer van de IND") for pattern, _ in _REJECTED)
    assert not any(pattern.search(word) for word in GLOSSARY.values() for pattern, _ in _REJECTED)
