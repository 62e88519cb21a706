"""Words by meaning (pipeline/words/): the bundled model loads offline, and what it changes in the
lookup: phrases keep their head, slang and other languages are read, look-alikes are refused,
suggestions are neighbours in meaning."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.cli.main import main
from bot.settings import Settings
from pipeline.classes import all_classes, class_name, resolve_class
from pipeline.words import (
    WordsModelError,
    configure,
    forms,
    lexicon,
    model_source,
    reading,
    relations,
    shared_meaning,
    spelling,
)
from pipeline.words import lookup as L
from pipeline.words.lookup import Method, lookup, lookup_word, split_words
from pipeline.words.results import NoWords
from tests.paths import DATA
from tests.pipeline.words.test_lookup import DOGS, DOMESTIC_CATS, SETS, read_word_table

TUNING_FILE, HOLDOUT_FILE = DATA / "meaning_tuning.tsv", DATA / "meaning_holdout.tsv"
HOLDOUT2_FILE = DATA / "meaning_holdout2.tsv"  # written before the second round of tuning
HOLDOUT3_FILE = DATA / "meaning_holdout3.tsv"  # written blind before the third round; the first two were tuned on then
HOLDOUT4_FILE = DATA / "meaning_holdout4.tsv"  # written blind after the third round, its answers never looked at
HOLDOUT5_FILE = DATA / "meaning_holdout5.tsv"  # written blind before the sixth round, its answers never looked at
PHRASES_FILE = DATA / "meaning_phrases.tsv"  # 296 phrases written for the sixth round to tune on
# 160 phrases of other languages, written blind before the ninth round (foreign_phrases.py), never tuned on
FOREIGN_PHRASES_FILE = DATA / "meaning_foreign_phrases.tsv"
FOREIGN_TUNING_FILE = DATA / "meaning_foreign_tuning.tsv"  # 150 more, written to tune that round on
FOREIGN_WORDS_FILE = DATA / "meaning_foreign_words.tsv"  # single words of 22 languages, held out (stop 36)


def choices(word: str) -> set[int | None]:
    return set(lookup_word(word, random.Random(0)).choices) or {None}


@pytest.fixture
def words_off(words_model_cache: Path) -> Iterator[None]:
    """The lookup with the meaning layer off, as before it existed; the bundled model again after."""
    configure("off")
    L._read.cache_clear()
    yield
    configure("bundled", words_model_cache)
    L._read.cache_clear()


def test_the_bundled_model_loads_from_site_packages_with_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    source = model_source()
    assert source is not None and source.folder is not None and "site-packages" in str(source.folder)
    meaning = shared_meaning()
    assert meaning is not None and meaning is shared_meaning()  # loaded once per process
    dog, volcano = resolve_class("golden retriever"), resolve_class("volcano")
    scores = meaning.class_scores("puppy")
    assert scores[dog] > scores[volcano] + 0.1


def test_class_and_word_vectors_are_cached_for_the_next_process(words_model_cache: Path) -> None:
    meaning = shared_meaning()
    assert meaning is not None
    meaning.nearest_words("dog", ("cat", "volcano"), k=1)
    cached = sorted(p.name.split("-")[0] for p in (words_model_cache / "words-vectors").glob("*.npy"))
    assert {"class", "words"} <= set(cached)

    width = int(meaning.class_text_vectors.shape[1])

    class NoEncoding:  # a second load must read every vector from the cache, never recompute
        def encode(self, texts: list[str], **_: object) -> np.ndarray:
            assert len(texts) == 1, "recomputed cached vectors"
            return np.ones((1, width), np.float32)

    again = type(meaning)(meaning.source, NoEncoding())
    assert np.array_equal(again.class_text_vectors, meaning.class_text_vectors)
    assert again.nearest_words("dog", ("cat", "volcano"), k=1)


def test_a_model_named_by_folder_loads_with_the_production_code(
    tmp_path: Path, words_model_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The operator's multilingual model loads by the same code; here a copy of the bundled model stands in.
    bundled = model_source()
    assert bundled is not None and bundled.folder is not None
    folder = tmp_path / "paraphrase-multilingual-MiniLM-L12-v2"
    shutil.copytree(bundled.folder, folder)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    try:
        configure(str(folder), tmp_path / "cache")
        meaning = shared_meaning()
        assert meaning is not None and meaning.source.name == folder.name
        assert (tmp_path / "cache" / "words-vectors").is_dir()
        configure("sentence-transformers/no-such-model-here", tmp_path / "cache")
        with pytest.raises(WordsModelError, match="could not be loaded"):
            shared_meaning()
    finally:
        configure("bundled", words_model_cache)


def test_the_setting_names_the_words_model() -> None:
    assert Settings.load({}, env_file=None).words_model == "bundled"
    named = Settings.load({"GANTERP_WORDS_MODEL": "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"}, None)
    assert named.words_model.endswith("paraphrase-multilingual-MiniLM-L12-v2")


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("red sports car", {resolve_class("sports car")}),
        ("black cat", DOMESTIC_CATS),
        ("cute puppy", DOGS),
        ("tiny kitten", DOMESTIC_CATS),
    ],
)
def test_a_phrase_keeps_its_head_and_its_modifiers_do_not_become_things(phrase: str, expected: set[int]) -> None:
    assert split_words(phrase) == [phrase]
    assert choices(phrase) <= expected


def test_two_things_side_by_side_stay_two() -> None:
    assert split_words("dog cat") == ["dog", "cat"]
    assert split_words("golden retriever ocean") == ["golden retriever", "ocean"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [("doge", DOGS), ("pupperino", DOGS), ("mic", {resolve_class("microphone")})],
)
def test_chat_words_are_read_as_the_known_word_they_mean(word: str, expected: set[int]) -> None:
    # Words no chat rule reaches ("catto", "fishies", "froggy" are chat forms now: test_chat.py).
    match = lookup_word(word, random.Random(0))
    assert match.method is Method.MEANING and set(match.choices) <= expected, match
    assert match.reason == "meaning" and 0 < match.confidence < 1


@pytest.mark.parametrize("word", ["bunbun", "boxing", "dogcat"])
def test_a_neighbour_by_letters_alone_is_not_taken(word: str) -> None:
    assert lookup_word(word, random.Random(0)).method is not Method.MEANING


def test_a_look_alike_where_nothing_fits_is_refused(words_off: None) -> None:
    # Without the model WordNet's weak guesses stand: the octopus is a chambered nautilus...
    assert choices("octopus") == {resolve_class("chambered nautilus")}
    # ...unless the word was judged (pipeline/data/reviewed_words.tsv): WordNet's guess is a bakery.
    assert choices("laboratory") == {resolve_class(n) for n in ("beaker", "Petri dish", "lab coat")}


def test_look_alikes_are_refused_with_the_model() -> None:
    assert resolve_class("chambered nautilus") not in choices("octopus")
    assert resolve_class("bakery") not in choices("laboratory")
    assert choices("puppy") <= DOGS  # a broader sense that fits still stands


def test_suggestions_for_a_real_word_are_neighbours_in_meaning() -> None:
    blizzard = lookup_word("blizzard", random.Random(0))
    assert "pizza" not in blizzard.suggestions
    aurora = lookup_word("aurora", random.Random(0))
    assert "carbonara" not in aurora.suggestions


def test_cli_classes_says_why_and_how_sure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classes", "doge, dog, 207"]) == 0
    out = capsys.readouterr().out
    assert "meaning, " in out and "% sure" in out and "exact, 100% sure" in out
    assert main(["classes", "--json", "doge"]) == 0
    record = json.loads(capsys.readouterr().out)[0]
    assert record["reason"] == "meaning" and 0 < record["confidence"] < 1


def read_meaning_table(path: Path) -> list[tuple[str, str, set[int | None]]]:
    """(word, category, acceptable) rows of a meaning table; None in acceptable: an honest unknown is."""
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, category, acceptable, *_ = line.split("\t")
            items = [a.strip() for a in acceptable.split(",")]
            ok: set[int | None] = {None} if "unknown" in items else set()
            classes = ", ".join(a for a in items if a != "unknown")
            if classes:
                with tempfile.TemporaryDirectory() as folder:
                    row = Path(folder) / "row.tsv"
                    row.write_text(f"{word}\t{category}\t{classes}\n", "utf-8")
                    ok |= read_word_table(row, dict(SETS))[0][2]
            rows.append((word, category, ok))
    return rows


def request_choices(text: str) -> set[int | None]:
    """Every class a seed can give the text as typed (split as the bots split it): None for an unknown,
    and for a request with nothing to picture (only decoration such as 😂), which the bots refuse."""
    try:
        matches = L.lookup(text, 0)
    except NoWords:
        return {None}
    out: set[int | None] = set()
    for match in matches:
        out |= set(match.choices) or {None}
    return out


def rates(path: Path) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Hits and words per category, and the misses with what they gave."""
    per: dict[str, tuple[int, int]] = {}
    misses = []
    for word, category, ok in read_meaning_table(path):
        got = request_choices(word)
        hit = got <= ok
        hits, total = per.get(category, (0, 0))
        per[category] = (hits + hit, total + 1)
        if not hit:
            misses.append(f"{word!r} → {sorted('unknown' if c is None else class_name(c) for c in got - ok)[:3]}")
    return per, misses


def overall(per: dict[str, tuple[int, int]]) -> float:
    return sum(h for h, _ in per.values()) / sum(n for _, n in per.values())


def test_held_out_words_nobody_tuned_on_are_read_better_than_by_wordnet_alone() -> None:
    # Each held-out table was written before a round of tuning (see bench/word_meaning.py for the
    # per-category numbers); this only keeps the gain from slipping back (measured: 82%, 89%, 88%,
    # 86% on the third table, 77% and 74% on the fourth and fifth, whose misses nobody has read, and
    # 55% on the phrases; 29% → 68% on the phrases of other languages, misses unread, and 29% → 68%
    # on the ones tuned on; 84.1% → 84.8% on single words of other languages, written at stop 36).
    tuned = ((HOLDOUT_FILE, 0.79), (HOLDOUT2_FILE, 0.87), (TUNING_FILE, 0.86), (PHRASES_FILE, 0.53))
    fresh = ((HOLDOUT3_FILE, 0.84), (HOLDOUT4_FILE, 0.75), (HOLDOUT5_FILE, 0.72))
    other_languages = ((FOREIGN_PHRASES_FILE, 0.62), (FOREIGN_WORDS_FILE, 0.82))
    for path, floor in (*tuned, (FOREIGN_TUNING_FILE, 0.62), *fresh, *other_languages):
        rated, misses = rates(path)
        assert overall(rated) >= floor, (path.name, misses)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("kat", DOMESTIC_CATS),
        ("kikker", SETS["@frogs"]),
        ("fiets", SETS["@bikes"]),
        ("olifant", SETS["@elephants"]),
        ("katt", DOMESTIC_CATS),
        ("ndovu", SETS["@elephants"]),
        ("kissa", DOMESTIC_CATS),
        ("moto", SETS["@motorbikes"]),
    ],
)
def test_languages_beyond_the_emoji_packages_thirteen_are_read_by_cldr_names(word: str, expected: set[int]) -> None:
    # Dutch, Swedish, Swahili, Finnish: CLDR's names in ~160 locales; "moto" is fire in Swahili but a
    # motorcycle in five languages, so the motorcycle.
    match = lookup_word(word, random.Random(0))
    assert match.method is Method.TRANSLATION and set(match.choices) <= expected, match


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("猫", DOMESTIC_CATS),  # one Chinese or Japanese character is a whole word
        ("犬", SETS["@dogs"]),  # a keyword only (ja): it tags the dog and the poodle, one thing
        ("tembo", SETS["@elephants"]),  # a Swahili keyword beside the name "ndovu"
        ("manzana", {948}),  # a Spanish keyword of the red and the green apple
        ("neko", DOMESTIC_CATS),  # ネコ in romaji
        ("usagi", SETS["@rabbits"]),  # うさぎ in romaji
        ("sobaka", SETS["@dogs"]),  # собака in Latin letters
        ("koshka", DOMESTIC_CATS),
    ],
)
def test_keywords_kana_and_cyrillic_of_cldr_reach_the_thing_they_name(word: str, expected: set[int]) -> None:
    match = lookup_word(word, random.Random(0))
    assert match.method is Method.TRANSLATION and set(match.choices) <= expected, match


@pytest.mark.parametrize("word", ["accident", "ace"])
def test_an_english_word_is_never_read_as_another_languages_keyword(word: str) -> None:
    # "accident" tags the crutch and "ace" (needles, in Romanian) the hedgehog somewhere: English
    # words WordNet knows stay English.
    assert lexicon.emoji_for(word) == ()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("pajaro", SETS["@birds"]),  # pájaro typed without its accent
        ("tiburon", {2, 3, 4}),  # tiburón
        ("ёж", {334}),  # CLDR writes еж; people write ёж too
        ("ねこ", DOMESTIC_CATS),  # hiragana, where CLDR names the cat in katakana
        ("renard", {277, 278, 279, 280}),  # a typo of "reynard" only by letters: the model refuses that fix
    ],
)
def test_other_languages_are_read_as_people_type_them(word: str, expected: set[int]) -> None:
    match = lookup_word(word, random.Random(0))
    assert match.method is Method.TRANSLATION and set(match.choices) <= expected, match


@pytest.mark.parametrize("word", ["get", "bad", "law", "tell"])
def test_a_common_english_word_is_never_another_languages_word_or_a_chat_form(word: str) -> None:
    # Swedish "get" is a goat, German "bad" a bath, and "bad" clips "badger": none is what an
    # English speaker typed. Each was tagged at least ten times in WordNet's corpus.
    assert lookup_word(word, random.Random(0)).method is Method.UNKNOWN


@pytest.mark.parametrize("word", ["slapping", "benched", "shelved", "greenest", "cilia", "went"])
def test_an_inflected_english_word_is_never_respelt(word: str) -> None:
    # "slapping" was one letter from "shopping", "benched" from "bench", "shelved" from "shelter":
    # inflections and WordNet's irregular forms are real words, not slips.
    assert spelling.guess(word) is None and forms.is_english(word)


def test_a_typo_is_still_no_english_word() -> None:
    assert not forms.is_english("elefant") and not forms.is_english("spoder")  # no Spode + "-er"


def test_a_less_common_english_word_may_still_be_another_languages() -> None:
    # "leone" (Sierra Leone's money, never tagged) reads nothing as English and is the Italian lion.
    assert lookup_word("leone", random.Random(0)).method is Method.TRANSLATION


def test_a_topic_word_of_one_language_names_nothing_in_another() -> None:
    # "dier" tags every animal emoji in Dutch and names a door elsewhere: it is neither.
    assert lexicon.emoji_for("dier") == ()
    assert lexicon.emoji_for("Uccello") == ("🐦",)


@pytest.mark.parametrize("modifier", ["big", "two", "baby", "orange"])
def test_a_phrase_whose_head_is_a_class_name_reaches_that_class(modifier: str) -> None:
    # Every class's first name, after a word that modifies it: never a spelling fix of the whole
    # ("big cab" is no big cat, "two gar" no tow truck), never the modifier as a second thing.
    # Names joined by "and" are cut there before any phrase is read (a known limit).
    wrong = []
    for cls in all_classes():
        name = cls.names[0]
        alone = choices(name)
        if " and " in f" {name.replace('-', ' ')} " or cls.id not in alone:
            continue  # a name shared by several classes reads as all of them
        matches = lookup(f"{modifier} {name}", random.Random(0))
        if len(matches) != 1 or not set(matches[0].choices) <= alone:
            wrong.append(f"{modifier} {name} → {[m.query for m in matches]}")
    assert not wrong, wrong


def test_a_colour_before_a_thing_is_its_colour_and_a_scene_narrows_the_head() -> None:
    assert split_words("orange cat") == ["orange cat"] and choices("orange cat") <= DOMESTIC_CATS
    assert split_words("orange banana") == ["orange banana"]
    assert choices("sunny beach") <= {resolve_class("seashore"), resolve_class("sandbar")}


def test_a_holder_of_a_thing_is_one_picture_of_both() -> None:
    # "bowl of soup" was two things, any bowl (a mixing bowl) and the soup: now the bowl the whole
    # phrase points to, and what it holds.
    assert split_words("bowl of soup") == ["bowl of soup"]
    assert choices("bowl of soup") == {resolve_class("soup bowl"), resolve_class("consomme")}
    assert choices("bottle of wine") == {resolve_class("wine bottle"), resolve_class("red wine")}
    assert split_words("cup of tea") == ["cup", "tea"]  # tea is no thing of its own: two, as before
    assert split_words("bar of soap") == ["bar", "soap"]  # no bar the phrase is near: no holder


def test_a_plural_is_read_as_its_singular_is() -> None:
    # The model reads "ponies" far from the horse it reads "pony" near (it became poodles); the
    # guess is confirmed on the singular too. "monkies" is the plural of "monkey" as often typed.
    assert choices("ponies") == choices("pony") == {resolve_class("sorrel")}
    assert choices("monkies") <= choices("monkey") and choices("monkey")


def test_a_real_word_is_not_read_by_meaning_as_the_letters_it_starts_with() -> None:
    # MiniLM puts "sundae" beside "sun" (sundials, solar dishes); "dae" is no word and no ending.
    # (The reviewed words read a sundae as ice cream now, so the meaning step is asked alone.)
    assert reading._by_meaning("sundae") is None
    assert lookup_word("horseracing", random.Random(0)).method is Method.MEANING  # a compound
    assert lookup_word("doge", random.Random(0)).method is Method.MEANING  # a word and an ending


def test_a_player_reads_as_the_instrument_and_a_synonym_as_its_word() -> None:
    assert choices("cellist") == {resolve_class("cello")}
    assert choices("violinists") == {resolve_class("violin")}
    snowfall = relations.related("snowfall")  # a synonym of a word read, though a judged row reads it as snow scenes
    assert snowfall is not None and snowfall.target == "snow"
    assert choices("ananas comosus") == choices("pineapple")
    assert relations.related("banker") is None  # people derived from artifacts only


def test_a_meaning_guess_is_never_a_kind_named_by_a_word_put_before_the_word_typed() -> None:
    ballplayer = resolve_class("ballplayer")
    assert ballplayer not in request_choices("player") | request_choices("bass player")
    assert reading._narrower_by_words("player", "baseball player")
    assert not reading._narrower_by_words("old steam engine", "steam locomotive")  # a head of its own


def test_a_name_that_means_other_than_its_words_is_never_read_by_its_parts() -> None:
    assert relations.is_compound("hush puppy") and not relations.is_compound("brass band")  # a band
    assert not relations.is_compound("black cat")  # WordNet's fisher, but people mean a black cat
    assert request_choices("hush puppies") == {None}  # cornbread, not puppies
    assert split_words("hush puppies") == ["hush puppies"]
    assert reading.read("hush puppy").label.startswith("a name of its own")


def test_a_creature_or_dish_of_a_kind_its_last_word_does_not_picture_is_not_its_first_word() -> None:
    # A pot roast is a kind of roast and a barn swallow one of swallow, but no class shows either
    # last word: the words before it only say which kind, and picture something else.
    for name in ("pot roast", "barn swallow", "banana split"):
        assert relations.is_compound(name) and request_choices(name) == {None}, name
    assert not relations.is_compound("sea otter")  # its last word is a class: read as the otter
    assert not relations.is_compound("apple orchard")  # a place, not a creature: read by its apples


@pytest.mark.parametrize(
    ("word", "relation", "expected"),
    [
        ("bonfire", "kind_of", SETS["@fire"]),  # WordNet: a bonfire is a kind of fire
        ("wintry", "adjective_of", SETS["@snow"]),  # an adjective made from a curated scene
    ],
)
def test_kinds_and_adjectives_of_curated_scenes_read_as_their_pictures(
    word: str, relation: str, expected: set[int]
) -> None:
    found = relations.related(word)
    assert found is not None and found.relation == relation
    match = lookup_word(word, random.Random(0))
    assert match.method is Method.RELATED and set(match.choices) <= expected, match


def test_a_kind_of_a_whole_category_is_not_read_as_the_category() -> None:
    # A stapler is a kind of machine and tongs a kind of device: those picture anything, so the
    # builder leaves them out rather than give a chain saw for a stapler.
    assert relations.related("stapler") is None and relations.related("tongs") is None


def test_a_kind_the_model_finds_far_from_its_broader_pictures_is_not_followed() -> None:
    # WordNet: a "whitecap" (white horse) is a kind of wave; waves' classes (breakwater, seashore)
    # are not what the word pictures to the model, so the relation is not followed.
    found = relations.related("white horse")
    assert found is not None and found.relation == "kind_of"
    assert lookup_word("white horse", random.Random(0)).method is not Method.RELATED


def test_a_phrase_of_real_words_is_never_respelt_into_another_phrase() -> None:
    # "mountain lake" is one letter from "mountain bike"; both its words are real, so no fix.
    assert choices("mountain lake") <= {resolve_class("lakeside"), resolve_class("alp"), resolve_class("valley")}


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("polar bear cub", {resolve_class("ice bear")}),  # the polar bear among the bears a cub may be
        ("sax player", {resolve_class("sax")}),  # the thing played pictures the player
        ("electric guitar solo", {resolve_class("electric guitar")}),
        ("ice cream cone", {resolve_class("ice cream")}),  # read whole, though "cone" alone is nothing
        ("golden retriever puppy", {resolve_class("golden retriever")}),  # a kind of the head before it
        ("tabby kitten", {resolve_class("tabby")}),
    ],
)
def test_a_phrase_is_pictured_by_the_thing_it_names(phrase: str, expected: set[int]) -> None:
    got: set[int | None] = set()
    for match in lookup(phrase, 0):
        got |= set(match.choices) or {None}
    assert got <= expected, (phrase, got)


def test_a_phrase_read_whole_by_meaning_must_be_read_as_a_word_it_holds() -> None:
    # The model puts "mosh pit" near "thrush": no word of the phrase, so it is not read whole as birds.
    birds = SETS["@birds"]
    for match in lookup("mosh pit", 0):
        assert not set(match.choices) & birds, match


def test_a_player_plays_the_thing_named_in_the_word() -> None:
    # WordNet also calls the mouth organ a harp; the harpist plays the one whose name the word holds.
    found = relations.related("harpist")
    assert found is not None and (found.target, found.relation) == ("harp", "player_of")
    assert choices("harpist") == {594}


def test_a_kind_of_music_two_steps_below_a_curated_word_is_a_kind_of_it() -> None:
    # "flamenco" → dance music → music, in WordNet's file of music and art forms.
    found = relations.related("flamenco")
    assert found is not None and (found.target, found.relation) == ("music", "kind_of")


def test_a_food_is_no_other_food_but_a_drink_is_served_as_its_kind() -> None:
    # "mayonnaise" is a dressing, which pictured a Band-Aid; "cappuccino" is coffee, an espresso.
    assert relations.related("mayonnaise") is None and relations.related("aioli") is None
    found = relations.related("cappuccino")
    assert found is not None and (found.target, found.relation) == ("coffee", "kind_of")


@pytest.mark.parametrize(
    ("word", "target"),
    [
        ("maize", "corn"),  # a thing under another name
        ("handbag", "purse"),
        ("dawn", "sunrise"),  # a curated scene's time of day
        ("vocalist", "singer"),  # the first name of the sense
        # The target's commonest sense is not what the lookup pictures for it: a saying is no saw,
        # an accountant no joystick ("controller"), a hitman no torpedo, a dad no pop music, dirt
        # no grunge.
        ("proverb", None),
        ("accountant", None),
        ("hitman", None),
        ("dad", None),
        ("soil", None),
        ("dirty", None),
    ],
)
def test_a_word_stands_for_a_target_only_in_the_sense_the_lookup_pictures(word: str, target: str | None) -> None:
    found = relations.related(word)
    assert (found.target if found is not None else None) == target, found


@pytest.mark.parametrize(
    ("word", "english", "language"),
    [
        ("eichhörnchen", "squirrel", "German"),  # no emoji of CLDR's names it
        ("eichhoernchen", "squirrel", "German"),  # umlauts spelled out, as typed on an English keyboard
        ("densha", "train", "Japanese"),
        ("でんしゃ", "train", "Japanese"),
        ("xiong mao", "panda", "Chinese"),  # pinyin, spaced
        ("bai bien", "beach", "Vietnamese"),  # bãi biển without its accents
        ("playa", "beach", "Spanish"),  # WordNet's dry lake bed reads as nothing sure
        ("danger noodle", "snake", "chat"),  # chat's own words, listed like a language's
        ("algodón de azúcar", "cotton candy", "Spanish"),  # a phrase is read whole, not as three unknown words
        ("air terjun", "waterfall", "Indonesian"),
        ("big mac", "cheeseburger", "chat"),  # names of products people type
        ("stratocaster", "electric guitar", "chat"),
        ("parvaneh", "butterfly", "Persian"),  # one of the twelve languages added last
        ("míč", "ball", "Czech"),
    ],
)
def test_picture_words_of_other_languages_read_as_the_english_word_they_mean(
    word: str, english: str, language: str
) -> None:
    match = lookup_word(word, random.Random(0))
    assert match.method is Method.TRANSLATION and match.choices, match
    assert set(match.choices) == set(reading.read(english).group) and language in match.label


@pytest.mark.parametrize(
    ("word", "english"), [("baum", "tree"), ("plage", "beach"), ("pelota", "ball"), ("yama", "mountain")]
)
def test_a_word_english_speakers_rarely_write_is_read_in_the_language_that_writes_it(word: str, english: str) -> None:
    # To WordNet, "Baum" is a writer, "plage" a patch on the sun, "pelota" a ball game and "yama" a
    # god: English speakers rarely write them, German, French, Spanish and Japanese speakers often.
    match = lookup_word(word, random.Random(0))
    assert match.method is Method.TRANSLATION and set(match.choices) == set(reading.read(english).group), match


@pytest.mark.parametrize("word", ["cane", "sole", "pane", "mare"])
def test_an_english_word_people_write_is_not_read_as_its_foreign_look_alike(word: str) -> None:
    # Italian "cane" is a dog, "sole" the sun, "pane" bread and "mare" the sea, but each is written
    # often enough in English (a walking cane, a shoe's sole, a window pane, a horse).
    assert lexicon.english_for(word) is None


@pytest.mark.parametrize("word", ["took", "went"])
def test_an_irregular_form_of_a_common_word_is_common_english(word: str) -> None:
    # "took" read through another language's emoji names was a chicken.
    assert word in L.load_index().common
    assert lookup_word(word, random.Random(0)).method is Method.UNKNOWN


def test_a_phrase_of_another_language_is_one_word_among_others() -> None:
    # "perro caliente" is a hot dog even with a word after it; the phrase is found, not its words
    # ("grande" says its size: a big hot dog, no hot big dog).
    first = lookup("perro caliente grande", 0)[0]
    assert set(first.choices) == set(reading.read("hot dog").group)
    assert [match.query for match in lookup("perro caliente, gato", 0)] == ["perro caliente", "gato"]


def test_a_phrase_of_english_words_is_read_as_english_first() -> None:
    # Danish "sort hat" (a black hat) is made of English words: it is never a phrase of another
    # language to the splitting, though the table may read it.
    assert forms.known("abridor de latas") and not forms.known("sort hat")


def test_every_translation_reads_as_its_english_word_where_the_bots_read_it() -> None:
    # What scripts/foreign_words.py checks as it builds the table: a form typed alone is one thing,
    # read as the classes of the English word it means (a seventh of the rows, for time).
    options = L.LookupOptions(steer_safe=False)
    table = sorted(lexicon.translations().items())
    for word, (english, _) in table[::7]:
        matches = lookup(word, 0, options)
        assert len(matches) == 1 and set(matches[0].choices) == set(reading.read(english).group), (word, english)


@pytest.mark.parametrize("word", ["glockenspiel", "chat", "pain", "gift", "mic"])
def test_an_english_word_is_never_translated_from_another_language(word: str) -> None:
    # German "Glockenspiel" is the English instrument, not the chime a translator wrote; French
    # "chat" and "pain", German "Gift" are English words first; chat's "mic" is no Czech míč (a
    # ball) typed without its accents.
    assert lexicon.english_for(word) is None
    assert lookup_word(word, random.Random(0)).method is not Method.TRANSLATION


def test_every_translation_is_a_well_formed_row_read_as_classes_in_english() -> None:
    index = L.load_index()
    table = lexicon.translations()
    assert len(table) > 10_000
    for word, (english, languages) in table.items():
        assert word == lexicon.key(word) and word not in index.common and english not in table, word
        assert languages and all(code in reading._LANGUAGE_NAMES for code in languages.split(",")), word


@pytest.mark.parametrize(("word", "english"), [("tenedor", "fork"), ("galleta", "cookie")])
def test_a_word_of_another_language_for_a_thing_no_class_shows_says_what_it_means(word: str, english: str) -> None:
    # Spanish "tenedor" is a fork, which no class shows: an honest unknown that says so, where the
    # spelling fixes had made it a tenor (a microphone); a "galleta" is a cookie.
    translated = lexicon.english_for(word)
    assert translated is not None and translated[0] == english
    found = reading.read(word)
    assert found.method is Method.UNKNOWN and not found.group and found.via == english
    assert english in found.label and "no class" in found.label


def test_a_rare_english_word_that_is_another_languages_everyday_word_reads_as_that() -> None:
    # Spanish "agua" is water; in WordNet it is a cane toad, which the model read as an agama.
    assert lexicon.english_for("agua") == ("water", "es")
    assert choices("agua") == choices("water")


@pytest.mark.parametrize("word", ["ja", "ur", "et", "os"])
def test_a_two_letter_word_is_no_other_languages_emoji_name(word: str) -> None:
    # German and Scandinavian "ja" is yes, chat's "ur" your, French "et" and: one language's CLDR
    # name for a house, a watch, a dog or an ox is no reason to paint one.
    assert not reading.read(word).group


def test_a_scene_is_pictured_by_the_scene_modifying_it_where_that_reads_nearer() -> None:
    # A forest's toadstools show no snow; a "rock band" is still a band, not a stone wall.
    assert choices("snowy forest") == choices("snow") and choices("snow").isdisjoint(choices("forest"))
    assert choices("rock band") == choices("band")


def test_an_emoji_name_reads_through_a_confirmed_broader_sense_of_one_class() -> None:
    # A honeybee is a bee, a cow's face the ox; chopsticks are no family of bowls, a helicopter
    # no airliner.
    assert choices("🐝") == {resolve_class("bee")} and choices("🐮") == {resolve_class("ox")}
    assert choices("🥢") == {None} and choices("🚁") == {None}
