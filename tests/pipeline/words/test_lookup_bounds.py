"""The lookup's cost is bounded whatever is pasted: no search past the word cap or on a run longer
than a word, a cap on the text before any work, and numbers of any length read without a crash."""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.cli.main import main
from pipeline.words import reading, spelling, splitting
from pipeline.words import text as words_text
from pipeline.words.lookup import (
    MAX_CHARS_PER_WORD,
    MAX_WORD_CHARS,
    LookupOptions,
    Method,
    TextTooLong,
    TooManyWords,
    UnknownWords,
    complete,
    lookup,
    lookup_word,
    resolve_words,
)

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def gibberish(rng: random.Random, low: int = 4, high: int = 11) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(low, high)))


def comma_free_run(seed: int, chars: int) -> str:
    """Known words with unknown ones among them and no separator: the case whose cost was quadratic."""
    rng = random.Random(seed)
    known = ["dog", "ocean", "tree", "golden retriever", "the", "in a", "volcano", "ship", "cat"]
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < chars:
        parts.append(gibberish(rng) if rng.random() < 0.3 else rng.choice(known))
    return " ".join(parts)[:chars]


def short_runs(seed: int, chars: int) -> str:
    """Many comma-separated runs of two unknown words, each worth a spelling search of its own."""
    rng = random.Random(seed)
    text = ", ".join(f"{gibberish(rng)} {gibberish(rng)}" for _ in range(chars // 8))
    return text[:chars]


@pytest.fixture
def searched(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every word the spelling search and the known-ending search were given, in order."""
    seen: list[str] = []

    def spy(real: Callable[[str], Any]) -> None:
        def recording(word: str) -> Any:
            seen.append(word)
            return real(word)

        replace_everywhere(monkeypatch, real, recording)

    spy(spelling.guess)
    spy(reading.known_tail)
    reading.read.cache_clear()  # a cached reading would hide a search
    yield seen
    reading.read.cache_clear()


def replace_everywhere(monkeypatch: pytest.MonkeyPatch, real: Callable[..., Any], fake: Callable[..., Any]) -> None:
    """Replace a function in every words module that holds it, so no caller is missed."""
    holders = [m for m in (words_text, spelling, reading, splitting) if getattr(m, real.__name__, None) is real]
    assert holders, real.__name__
    for module in holders:
        monkeypatch.setattr(module, real.__name__, fake)


def read(text: str, options: LookupOptions | None = None) -> str:
    """What the lookup does with the text: its matches' count, or the refusal's kind."""
    try:
        return f"{len(lookup(text, options=options or LookupOptions()))} words"
    except (TooManyWords, TextTooLong) as refused:
        return type(refused).__name__


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("chars", [1_000, 6_000])
def test_no_search_is_given_more_than_a_word(seed: int, chars: int, searched: list[str]) -> None:
    read(comma_free_run(seed, chars))
    # Was the whole run: 1,000 characters went into the spelling search (1.2 s, 99 MB).
    assert max(map(len, searched), default=0) <= MAX_WORD_CHARS


@pytest.mark.parametrize("seed", [4, 5])
def test_no_more_searches_than_the_word_cap_allows(seed: int, searched: list[str]) -> None:
    max_words = random.Random(seed).randint(3, 12)
    text = short_runs(seed, max_words * MAX_CHARS_PER_WORD)
    assert read(text, LookupOptions(max_words=max_words)) == "TooManyWords"
    # Each run searched yields a word at least, so the cap stops the searching; it was every run.
    assert len(searched) <= 2 * (max_words + 1)


def test_the_word_cap_names_what_it_counted() -> None:
    with pytest.raises(TooManyWords, match=r"at most 3 classes can be asked for at once \(got at least 4\)"):
        lookup("qwxv pfzt, mbkl dwrq, gzvn hbcx, jfpw tqzm, kxvd", options=LookupOptions(max_words=3))
    with pytest.raises(TooManyWords, match=r"\(got 4\)"):
        lookup("🐶, 🌊, 🔥, 🚀", options=LookupOptions(max_words=3))  # emoji are counted once read


@pytest.mark.parametrize(
    "text",
    [comma_free_run(7, 1_500), "x" * 1_500, " ".join(["dog"] * 40 + ["qzxvw"] * 40 + ["tree"] * 40)],
)
def test_memory_stays_small_whatever_the_run(text: str) -> None:
    reading.read.cache_clear()
    tracemalloc.start()
    try:
        read(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Was 99 MB for 1,000 characters and growing with the square of the length.
    assert peak < 10 * 2**20


@pytest.mark.parametrize("max_words", [1, 3, 50])
def test_text_longer_than_any_request_needs_is_refused_before_any_work(
    max_words: int, searched: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = max_words * MAX_CHARS_PER_WORD
    cleaned: list[str] = []

    def clean(text: str) -> str:
        cleaned.append(text)
        return text

    replace_everywhere(monkeypatch, words_text.clean, clean)
    for text in (comma_free_run(max_words, limit + 1), "dog " * (limit // 4 + 1), "🐶" * (limit + 1)):
        with pytest.raises(TextTooLong, match=f"at most {limit:,} characters long") as refused:
            lookup(text, options=LookupOptions(max_words=max_words))
        assert refused.value.got == len(text)
        with pytest.raises(TextTooLong):
            lookup_word(text, random.Random(0), LookupOptions(max_words=max_words))
    assert cleaned == [] and searched == []


def test_a_pasted_page_is_one_sentence_in_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classes", comma_free_run(8, 12_000)]) == 1
    assert main(["render", "no-such-file.wav", "--classes", comma_free_run(9, 7_000)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("at most 6,000 characters long" in line for line in err)


@pytest.mark.parametrize("digits", [4_300, 4_301, 5_000, 20_000])
@pytest.mark.parametrize("digit", ["7", "\uff17", "0"])  # fullwidth 7 is 7 once cleaned
def test_a_number_of_any_length_is_no_class_id_in_one_sentence(digits: int, digit: str) -> None:
    text = digit * digits + "1"  # "000…01" is class 1, as "007" is class 7
    max_words = 2 + len(text) // MAX_CHARS_PER_WORD
    matches = lookup(text, options=LookupOptions(max_words=max_words))
    if digit == "0":
        assert matches[0].class_id == 1 and matches[0].method is Method.ID
        return
    assert matches[0].class_id is None and matches[0].method is Method.UNKNOWN
    with pytest.raises(UnknownWords) as refused:
        resolve_words(f"dog, {text}", options=LookupOptions(max_words=max_words))
    message = str(refused.value)
    assert message.endswith("is not a BigGAN class id (0-999).") and len(message) < 2 * MAX_WORD_CHARS
    assert complete(text) == [] and complete("-" + text) == []


def test_a_long_number_in_the_cli_is_a_refusal_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    for text in ("9" * 4_301, "\uff19" * 5_000, "-" + "1" * 5_000):
        assert main(["classes", text]) == 1  # was exit 3, "something went wrong"
        assert main(["analyze", "no-such-file.wav", "--classes", text]) == 1
    out, err = capsys.readouterr()
    assert "something went wrong" not in err and "is not a BigGAN class id (0-999)." in err
    assert all(len(line) < 2 * MAX_WORD_CHARS for line in (out + err).splitlines())  # the number is cut
