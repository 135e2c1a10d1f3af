"""Names compared across Arabic, Dari and Latin script and their common spellings."""

import pytest

from passage.core.names import folded, name_key, same_name, skeleton, skeletons


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
    assert name_key(first) == name_key(second)  # what the duplicate lookup compares, in SQL


@pytest.mark.parametrize(("first", "second"), [("Omar Khalil", "Hana Khalil"), ("محمد", "أحمد"), ("Sara", "")])
def test_other_names_differ(first: str, second: str) -> None:
    assert not same_name(first, second)
    assert name_key(first) != name_key(second)


def test_folding_keeps_the_script_and_drops_marks_and_letter_variants() -> None:
    assert folded("  José   MÜLLER ") == "jose muller"
    assert folded("مُحَمَّد الأحمد") == "محمد الاحمد"
    assert folded("رحیم") == folded("رحيم")  # Persian and Arabic yeh


def test_articles_alone_are_not_words() -> None:
    assert skeletons("Al Ahmad") == skeletons("الأحمد") == ["hmd"]


def test_a_name_without_consonants_keys_as_itself() -> None:
    assert (name_key("Aia"), name_key("AÏA"), name_key("Oia")) == ("aia", "aia", "oia")


def test_the_start_of_a_word_keeps_its_last_h() -> None:
    assert (skeleton("Moh"), skeleton("Moh", whole=False), skeleton("Mohammed", whole=False)) == ("m", "mh", "mhmd")
    assert (skeleton("Fatimah"), skeleton("Fatimah", whole=False)) == ("ftm", "ftmh")
