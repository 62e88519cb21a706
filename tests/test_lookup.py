"""Words to BigGAN classes: a table of what people type and what they would accept, plus the edges."""

from __future__ import annotations

import json
import random

import pytest

from bot.cli import main
from pipeline.classes import resolve_class
from pipeline.lookup import (
    LookupOptions,
    Method,
    NoWords,
    TooManyWords,
    UnknownWords,
    complete,
    load_index,
    lookup,
    lookup_word,
    resolve_words,
    split_words,
)


def names(*class_names: str) -> set[int]:
    """Class ids of exact class names, so the table reads as words, not numbers."""
    return {resolve_class(n) for n in class_names}


def span(first: int, last: int) -> set[int]:
    return set(range(first, last + 1))


DOGS = span(151, 268)
DOMESTIC_CATS = span(281, 285)
CATS = DOMESTIC_CATS | span(286, 293)  # with the wild and big cats
BIRDS = span(7, 24) | span(80, 100) | span(127, 146)
FISH = span(0, 6) | span(389, 397)
SNAKES = span(52, 68)
SPIDERS = span(72, 77)
BUTTERFLIES = span(321, 326)
RABBITS = span(330, 332)
PRIMATES = span(365, 384)
WOLVES = span(269, 272)
FOXES = span(277, 280)
BEARS = span(294, 297)
ELEPHANTS = span(385, 386) | {101}
FUNGI = {947} | span(991, 997)
CARS = names("ambulance", "beach wagon", "cab", "convertible", "jeep", "limousine", "minivan", "Model T", "racer",
             "sports car", "police van", "pickup")  # fmt: skip
TRUCKS = names("fire engine", "garbage truck", "moving van", "pickup", "tow truck", "trailer truck", "police van")
BOATS = names("canoe", "speedboat", "lifeboat", "yawl", "catamaran", "trimaran", "gondola", "fireboat", "schooner",
              "container ship", "liner", "pirate", "aircraft carrier", "submarine", "paddlewheel", "wreck")  # fmt: skip
PLANES = names("airliner", "warplane", "airship")
BIKES = names("mountain bike", "bicycle-built-for-two", "tricycle", "unicycle", "moped", "motor scooter")
SEA = names("seashore", "coral reef", "sandbar", "promontory", "liner", "wreck", "lakeside")
SKY = names("balloon", "parachute", "airliner", "airship", "warplane") | BIRDS
SPACE = names("space shuttle", "planetarium", "radio telescope")
FIRE = names("volcano", "fire engine", "torch", "matchstick", "candle", "fire screen")
SNOW = names("alp", "ski", "snowplow", "snowmobile", "dogsled")
MOUNTAIN = names("alp", "volcano", "cliff", "valley", "promontory")
FOOD = span(923, 969)
FLOWERS = names("daisy", "yellow lady's slipper", "rapeseed")

# (what a person types, the classes that person would accept)
TABLE: list[tuple[str, set[int]]] = [
    # easy nouns that are class names
    ("violin", names("violin")), ("volcano", names("volcano")), ("jellyfish", names("jellyfish")),
    ("goldfish", names("goldfish")), ("pizza", names("pizza")), ("banana", names("banana")),
    ("umbrella", names("umbrella")), ("tractor", names("tractor")), ("zebra", names("zebra")),
    ("castle", names("castle")), ("lighthouse", names("lighthouse")), ("broccoli", names("broccoli")),
    ("strawberry", names("strawberry")), ("lemon", names("lemon")), ("hippo", names("hippopotamus")),
    ("Tiger", names("tiger")), ("koala", names("koala")), ("ostrich", names("ostrich")),
    # kinds: the class is a kind of the word
    ("dog", DOGS), ("cat", CATS), ("bird", BIRDS), ("fish", FISH), ("snake", SNAKES), ("spider", SPIDERS),
    ("butterfly", BUTTERFLIES), ("monkey", PRIMATES), ("bear", BEARS | names("teddy bear")), ("car", CARS),
    ("truck", TRUCKS), ("boat", BOATS), ("mushroom", FUNGI), ("guitar", names("acoustic guitar", "electric guitar")),
    ("piano", names("grand piano", "upright")), ("clock", names("analog clock", "digital clock", "wall clock")),
    ("shoe", names("clog", "cowboy boot", "Loafer", "running shoe", "sandal")), ("fruit", FOOD | span(984, 990)),
    ("chair", names("barber chair", "folding chair", "rocking chair", "throne")), ("wolf", WOLVES),
    # plurals and inflections
    ("kittens", DOMESTIC_CATS), ("puppies", DOGS), ("geese", names("goose")), ("wolves", WOLVES),
    ("foxes", FOXES), ("butterflies", BUTTERFLIES), ("strawberries", names("strawberry")),
    ("golden retrievers", names("golden retriever")), ("buses", names("school bus", "trolleybus", "minibus")),
    ("oxen", names("ox")), ("mice", names("mouse") | span(333, 338)), ("jellyfishes", names("jellyfish")),
    # multiword names
    ("golden retriever", names("golden retriever")), ("space shuttle", names("space shuttle")),
    ("ice cream", names("ice cream")), ("grand piano", names("grand piano")), ("school bus", names("school bus")),
    ("fire engine", names("fire engine")), ("polar bear", names("ice bear")), ("coral reef", names("coral reef")),
    ("great white shark", names("great white shark")), ("hot dog", names("hotdog")), ("teddy bear", names("teddy")),
    ("rocket ship", names("space shuttle", "missile", "projectile")), ("traffic light", names("traffic light")),
    ("red wine", names("red wine")), ("big red dog", DOGS), ("washing machine", names("washer")),
    # synonyms and everyday names
    ("automobile", CARS), ("sofa", names("studio couch")), ("couch", names("studio couch")), ("bike", BIKES),
    ("laptop", names("laptop")), ("kitty", DOMESTIC_CATS), ("bunny", RABBITS), ("airplane", PLANES),
    ("taxi", names("cab")), ("lorry", TRUCKS), ("tv", names("television")), ("puppy", DOGS),
    # typos
    ("jellyfsh", names("jellyfish")), ("volcanoe", names("volcano")), ("elefant", ELEPHANTS),
    ("banan", names("banana")), ("umbrela", names("umbrella")), ("strawbery", names("strawberry")),
    ("violn", names("violin")), ("castel", names("castle")), ("tigre", names("tiger")), ("zebar", names("zebra")),
    # ids
    ("207", {207}), ("0", {0}), ("999", {999}), (" 42 ", {42}),
    # abstract words and scenes
    ("ocean", SEA), ("sea", SEA), ("beach", SEA), ("sky", SKY), ("moon", SPACE), ("space", SPACE),
    ("fire", FIRE), ("snow", SNOW), ("mountain", MOUNTAIN), ("food", FOOD), ("flower", FLOWERS),
    ("music", names("grand piano", "upright", "acoustic guitar", "electric guitar", "violin", "drum", "cello",
                    "harp", "banjo", "accordion", "sax", "trombone", "French horn", "flute", "oboe", "chime",
                    "microphone", "cornet", "harmonica", "marimba", "maraca", "steel drum", "gong", "organ")),
    ("time", names("analog clock", "digital clock", "wall clock", "hourglass", "sundial", "stopwatch")),
    ("war", names("tank", "missile", "cannon", "warplane", "aircraft carrier", "rifle", "assault rifle")),
]  # fmt: skip


def test_the_table_is_large_and_its_answers_exist() -> None:
    assert len(TABLE) >= 80
    assert all(ids and ids <= span(0, 999) for _, ids in TABLE)


def test_hit_rate_on_what_people_type() -> None:
    misses = []
    for word, acceptable in TABLE:
        match = lookup_word(word, random.Random(0))
        if match.class_id not in acceptable:
            misses.append(f"{word!r} → {match.class_id} {match.class_name} ({match.explain()})")
    rate = 1 - len(misses) / len(TABLE)
    print(f"\nlookup hit rate: {rate:.1%} of {len(TABLE)} words; misses: {misses}")
    assert rate >= 0.90, misses


@pytest.mark.parametrize(
    ("word", "method"),
    [
        ("violin", Method.EXACT), ("rocket ship", Method.SYNONYM), ("dog", Method.KIND_OF),
        ("puppy", Method.BROADER), ("beer", Method.IN_NAME), ("kittens", Method.RELATED),
        ("jellyfsh", Method.SPELLING), ("207", Method.ID),
    ],
)  # fmt: skip
def test_each_way_of_finding_a_class_is_reported(word: str, method: Method) -> None:
    assert lookup_word(word, random.Random(0)).method is method


def test_in_name_finds_words_inside_class_names() -> None:
    assert lookup_word("beer", random.Random(0)).class_id in names("beer bottle", "beer glass")
    assert lookup_word("book", random.Random(0)).class_id in names("bookshop", "book jacket", "comic book", "bookcase")


def test_splitting_by_commas_and_spaces_and_in_any_case_with_emoji() -> None:
    assert split_words("dog, ocean, rocket ship, jellyfsh, 207") == ["dog", "ocean", "rocket ship", "jellyfsh", "207"]
    assert split_words("Dog and CAT & fish; 🐟 whale!!") == ["dog", "cat", "fish", "whale"]
    assert split_words("golden retriever ocean space shuttle") == ["golden retriever", "ocean", "space shuttle"]
    assert split_words("🐶 a Puppy! 🌊") == ["puppy"]
    assert split_words("  ,, and ") == []


def test_the_limit_on_words_is_a_clear_error() -> None:
    with pytest.raises(TooManyWords, match="at most 3 classes"):
        lookup("dog, cat, fish, bird", options=LookupOptions(max_words=3))
    assert len(lookup("dog, cat, fish", options=LookupOptions(max_words=3))) == 3


def test_a_request_without_words_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(NoWords, match="no words to look up in '🐶 !!'"):
        lookup("🐶 !!")
    assert main(["classes"]) == 1
    assert "no words to look up; give words" in capsys.readouterr().err
    assert main(["analyze", "no-such-file.wav", "--classes", " , "]) == 1


def test_unknown_words_are_reported_with_suggestions_never_dropped() -> None:
    matches = lookup("dog, xyzzyq, 1000, jellyfisk")
    assert [m.query for m in matches] == ["dog", "xyzzyq", "1000", "jellyfisk"]
    assert matches[1].class_id is None and matches[1].method is Method.UNKNOWN
    assert matches[2].class_id is None
    assert matches[3].class_id == 107  # one edit away
    blurred = lookup_word("jelyfishh", random.Random(0))  # two edits: not guessed, but suggested
    assert blurred.class_id is None and "jellyfish" in blurred.suggestions
    with pytest.raises(UnknownWords, match=r"'jelyfishh' matches no BigGAN class \(did you mean: jellyfish"):
        resolve_words("dog, jelyfishh")


def test_the_seed_decides_among_kinds_and_nothing_else_does() -> None:
    first = resolve_words("dog, dog, cat, bird, violin", seed=7)
    assert first == resolve_words("dog, dog, cat, bird, violin", seed=7)
    assert first == resolve_words("dog, dog, cat, bird, violin", seed=random.Random(7))
    breeds = {resolve_words("dog", seed=s)[0] for s in range(20)}
    assert len(breeds) > 5 and breeds <= DOGS
    assert {resolve_words("violin", seed=s)[0] for s in range(5)} == names("violin")


def test_json_shape_of_a_match() -> None:
    record = lookup("kittens")[0].as_json()
    assert {"query", "class_id", "class_name", "method", "alternatives"} <= record.keys()
    assert record["class_id"] in DOMESTIC_CATS and set(record["alternatives"]) <= DOMESTIC_CATS


def test_autocomplete_by_prefix_and_by_word_inside_a_name() -> None:
    found = complete("gold")
    assert (207, "golden retriever") in found and (1, "goldfish") in found
    assert (207, "golden retriever") in complete("retr")
    assert len(complete("s", limit=25)) == 25
    assert complete("207") == [(207, "golden retriever")]
    assert complete("zzzz") == []


def test_the_index_is_whole() -> None:
    index = load_index()
    assert len(index.words) > 30_000 and len(index.unresolved) > 30_000 and index.exceptions["geese"] == ("goose",)


def test_cli_classes_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classes", "dog, ocean, rocket ship, jellyfsh, 207"]) == 0
    out = capsys.readouterr().out
    assert "rocket ship" in out and "812 space shuttle" in out and "spelling: jellyfish" in out


def test_cli_classes_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classes", "--json", "kittens"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["query"] == "kittens" and record["class_id"] in DOMESTIC_CATS and record["method"] == "related"


def test_cli_classes_list_and_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classes", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1000 and lines[207].split(None, 1) == ["207", "golden retriever"]
    assert main(["classes", "dog, xyzzyq"]) == 1
    assert "xyzzyq" in capsys.readouterr().out


def test_cli_render_refuses_unknown_words_in_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "no-such-file.wav", "--classes", "dog, xyzzyq"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ganterp: 'xyzzyq' matches no BigGAN class") and err.count("\n") == 1


def test_without_spelling_fixes_a_typo_is_refused_with_its_fix() -> None:
    with pytest.raises(UnknownWords, match=r"'jellyfsh' matches no BigGAN class \(did you mean: jellyfish"):
        resolve_words("dog, jellyfsh", options=LookupOptions(fix_spelling=False))
    with pytest.raises(UnknownWords, match=r"'1000' is not a BigGAN class id \(0-999\)"):
        resolve_words("1000")


def test_real_words_that_reach_no_class_are_unknown_not_respelt() -> None:
    for word in ("rainbow", "gloom", "hope"):  # "gloom" is one edit from the class "groom"
        match = lookup_word(word, random.Random(0))
        assert match.method is Method.UNKNOWN and match.class_id is None
