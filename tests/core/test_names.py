"""Names compared across Arabic, Dari and Latin script and their common spellings."""

import pytest

from passage.core.names import folded, same_name, skeletons


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("محمد", "Mohammed"),
        ("Muhammad", "مُحَمَّد"),
        ("فاطمة الأحمد", "Fatima Al-Ahmad"),
        ("رحیم احمدی", "Rahim Ahmadi"),
        ("Youssef", "یوسف"),
        ("عبدالله", "Abdullah"),
        ("José Müller", "jose muller"),
        ("Ahmadi Rahim", "Rahim Ahmadi"),
    ],
)
def test_the_same_name_in_another_script_or_spelling(first: str, second: str) -> None:
    assert same_name(first, second)


@pytest.mark.parametrize(("first", "second"), [("Omar Khalil", "Hana Khalil"), ("محمد", "أحمد"), ("Sara", "")])
def test_other_names_differ(first: str, second: str) -> None:
    assert not same_name(first, second)


def test_folding_keeps_the_script_and_drops_marks_and_letter_variants() -> None:
    assert folded("  José   MÜLLER ") == "jose muller"
    assert folded("مُحَمَّد الأحمد") == "محمد الاحمد"
    assert folded("رحیم") == folded("رحيم")  # Persian and Arabic yeh


def test_articles_alone_are_not_words() -> None:
    assert skeletons("Al Ahmad") == skeletons("الأحمد") == ["hmd"]
