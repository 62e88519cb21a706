"""--lyrics: the words heard in a clip (faster-whisper, the bundled tiny.en) choose the classes of its segments."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from bench.lyrics_clips import music, read_manifest
from pipeline.media.audio import decode_audio
from pipeline.render import RenderOptions, describe, prepare
from pipeline.words import heard as H
from pipeline.words.heard import HeardWord, Hearing, ModelChoice, WhisperListener
from pipeline.words.lookup import Match
from pipeline.words.lyrics import heard_classes, noun_likelihood, per_segment
from tests.conftest import write_wav
from tests.paths import DATA
from tests.synth import RATE

FIXTURE = DATA / "lyrics" / "three_things.json"
KNOWN = {"banana": 954, "volcano": 980, "umbrella": 879}


@pytest.fixture(scope="module")
def listener() -> WhisperListener:
    """The bundled model, loaded once for the module (as a worker loads it once)."""
    return WhisperListener()


@dataclasses.dataclass(frozen=True)
class _Words:
    """A listener that hears given words whatever the audio (for choices that need no recogniser)."""

    words: tuple[HeardWord, ...]

    def hear(self, samples: np.ndarray, sample_rate: int) -> Hearing:
        return Hearing(self.words, "given", 0.0)


def _said(*timed: tuple[float, str], probability: float = 0.9) -> tuple[HeardWord, ...]:
    return tuple(HeardWord(f" {text}", start, start + 0.3, probability) for start, text in timed)


def _sentence(text: str, start: float = 0.0, step: float = 0.4) -> tuple[HeardWord, ...]:
    return _said(*((start + i * step, word) for i, word in enumerate(text.split())))


# ----------------------------------------------------------------------------- the model


def test_the_bundled_model_is_found_in_site_packages_and_its_hash_checked() -> None:
    folder = H.model_folder(ModelChoice())
    assert (folder / "model.bin").is_file()
    assert H.file_sha256(folder / "model.bin") == H.BUNDLED_SHA256


def test_a_bundled_model_that_is_not_the_pinned_one_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in H.MODEL_FILES:
        (tmp_path / name).write_bytes(b"not a model")
    monkeypatch.setattr(H, "bundled_folder", lambda: tmp_path)
    with pytest.raises(H.LyricsModelInvalid, match="SHA-256"):
        H.model_folder(ModelChoice())
    with pytest.raises(H.LyricsModelInvalid, match="SHA-256"):
        WhisperListener().load()


def _copy_bundled(name: str, folder: Path) -> None:
    """Stands in for the hub: the bundled tiny.en's files, linked into the download folder."""
    for file in (*H.MODEL_FILES, "vocabulary.txt"):
        (folder / file).symlink_to(H.bundled_folder() / file)


def test_a_named_model_is_downloaded_once_into_the_cache_then_loaded_from_it(tmp_path: Path) -> None:
    calls: list[str] = []

    def download(name: str, folder: Path) -> None:
        calls.append(name)
        _copy_bundled(name, folder)

    choice = ModelChoice("tiny.en", cache_dir=tmp_path)
    assert H.model_folder(choice, download) == tmp_path / "whisper" / "tiny.en"
    assert H.model_folder(choice, download) == tmp_path / "whisper" / "tiny.en"
    assert calls == ["tiny.en"]
    listener = WhisperListener(choice, download)
    assert listener.load() is not None and listener.name == "tiny.en"
    assert not [p for p in (tmp_path / "whisper").iterdir() if p.name.startswith(".")]  # no partial folder left


def test_an_incomplete_cached_model_is_fetched_again(tmp_path: Path) -> None:
    stale = tmp_path / "whisper" / "tiny.en"
    stale.mkdir(parents=True)
    (stale / "model.bin").write_bytes(b"half")
    assert H.model_folder(ModelChoice("tiny.en", cache_dir=tmp_path), _copy_bundled) == stale
    assert H._complete(stale) and (stale / "model.bin").resolve() == (H.bundled_folder() / "model.bin").resolve()


def test_a_named_model_missing_with_downloads_off_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(H.LyricsModelUnavailable, match="GANTERP_ALLOW_DOWNLOAD"):
        H.model_folder(ModelChoice("small.en", cache_dir=tmp_path, allow_download=False))


def test_a_failed_download_leaves_nothing_that_passes_for_a_model(tmp_path: Path) -> None:
    def broken(name: str, folder: Path) -> None:
        (folder / "model.bin").write_bytes(b"half")
        raise ConnectionError("cut")

    with pytest.raises(H.LyricsModelUnavailable, match="download failed"):
        H.model_folder(ModelChoice("base.en", cache_dir=tmp_path), broken)
    assert list((tmp_path / "whisper").iterdir()) == []


def test_a_folder_model_must_hold_the_model_files(tmp_path: Path) -> None:
    with pytest.raises(H.LyricsModelUnavailable, match="lacks"):
        H.model_folder(ModelChoice(str(tmp_path)))
    _copy_bundled("", tmp_path)
    assert H.model_folder(ModelChoice(str(tmp_path))) == tmp_path


def test_model_choices_are_checked() -> None:
    H.check_model_choice("bundled")
    H.check_model_choice("small.en")
    H.check_model_choice("/models/whisper-medium")
    with pytest.raises(ValueError, match=r"tiny\.en"):
        H.check_model_choice("gigantic")


# ----------------------------------------------------------------------------- hearing


def test_known_words_over_music_are_heard_near_their_times(listener: WhisperListener) -> None:
    clip = read_manifest(FIXTURE)
    audio = decode_audio(Path(clip.path))
    hearing = listener.hear(audio.samples, audio.sample_rate)
    heard = {w.word: w.start_s for w in hearing.words}
    for phrase in clip.phrases:
        thing = phrase.text.rstrip(".").split()[-1].lower()
        assert thing in heard, (thing, hearing.text)
        assert phrase.start_s <= heard[thing] <= phrase.start_s + 2.0
    assert hearing.seconds > 0 and "tiny.en" in hearing.model


def test_music_without_a_voice_gives_no_words(listener: WhisperListener) -> None:
    hearing = listener.hear(music(8.0, seed=5).astype(np.float32), RATE)
    assert hearing.words == ()


def test_audio_is_resampled_to_whisper_rate() -> None:
    assert len(H.to_whisper_rate(np.zeros(44_100, np.float32), 44_100)) == 16_000
    assert len(H.to_whisper_rate(np.zeros(16_000, np.float32), 16_000)) == 16_000


def test_heard_words_lose_their_punctuation() -> None:
    assert HeardWord(" Volcano,", 0, 1, 1).word == "volcano"
    assert HeardWord(" 1999", 0, 1, 1).word == ""  # a number heard is never a class id


# ----------------------------------------------------------------------------- choosing


def test_a_word_after_a_subject_is_a_verb_after_an_article_a_thing() -> None:
    assert noun_likelihood("saw", "i") < noun_likelihood("saw", "the")
    tool = heard_classes(_sentence("the saw"), seed=0)
    seen = heard_classes(_sentence("i saw"), seed=0)
    assert [h.word for h in tool] == ["saw"]
    assert not seen or seen[0].score < tool[0].score / 2


def test_a_class_name_of_two_words_is_one_thing() -> None:
    found = heard_classes(_sentence("hug my teddy bear"), seed=0)
    assert [(h.word, h.class_id) for h in found] == [("teddy bear", 850)]


def test_a_name_of_several_words_beats_a_plain_word_beside_it() -> None:
    found = heard_classes(_sentence("a golden retriever and a castle"), seed=0)
    [best] = [h for h in per_segment(found, [0.0, 10.0]) if h is not None]
    assert best.word == "golden retriever" and best.class_id == 207


def test_function_words_and_numbers_name_nothing() -> None:
    assert heard_classes(_sentence("and then it was so 207 of them"), seed=0) == []


def test_a_blocked_or_unsafe_word_is_never_used() -> None:
    words = _sentence("a rifle and a banana")
    assert 954 not in [h.class_id for h in heard_classes(words, 0, blocked=frozenset({954}), safe_only=False)]
    assert [h.word for h in heard_classes(words, 0, safe_only=True)] == ["banana"]
    assert "rifle" in [h.word for h in heard_classes(words, 0, safe_only=False)]


def test_each_segment_gets_its_best_word_and_a_word_may_repeat() -> None:
    words = _said((0.5, "the"), (0.8, "banana"), (1.2, "the"), (1.5, "bike"), (4.5, "banana"), (8.2, "ocean"))
    found = heard_classes(words, seed=3)
    chosen = per_segment(found, [0.0, 4.0, 8.0, 10.0])
    assert [c.word if c else None for c in chosen] == ["banana", "banana", "ocean"]
    assert chosen[0] is not None and chosen[1] is not None and chosen[0].class_id == chosen[1].class_id == 954
    assert per_segment(found, [0.0, 4.0, 8.0, 10.0], first=2)[:2] == [None, None]


def test_an_unsure_word_counts_less() -> None:
    sure = heard_classes(_said((0.0, "banana"), probability=0.95), 0)
    unsure = heard_classes(_said((0.0, "banana"), probability=0.3), 0)
    assert sure[0].score > unsure[0].score


def test_a_lookup_confidence_scales_the_score(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.words import lyrics

    plain = heard_classes(_sentence("the banana"), 0)[0].score
    real = lyrics._lookup
    monkeypatch.setattr(lyrics, "_lookup", lambda *a: _confident(real(*a), 0.5))
    assert heard_classes(_sentence("the banana"), 0)[0].score == pytest.approx(plain * 0.5)


def _confident(match: Match | None, confidence: float) -> Match:
    """A lookup result as a meaning model would give it: the same Match with that confidence."""
    assert match is not None
    return dataclasses.replace(match, confidence=confidence)


# ----------------------------------------------------------------------------- end to end


def test_speech_over_music_gives_each_segment_the_class_of_its_word(listener: WhisperListener) -> None:
    clip = read_manifest(FIXTURE)
    options = RenderOptions(seed=11, segment_seconds=4.0, lyrics=True, safe_random=True)
    prepared = prepare(Path(clip.path), options, listener=listener)
    described = describe(prepared)
    heard_at = {w["word"].strip(".,").lower(): w["start"] for w in described["lyrics"]["words"]}
    hits = 0
    for segment in prepared.plan.segments:
        inside = [w for w in KNOWN if w in heard_at and segment.start_s <= heard_at[w] < segment.end_s]
        if len(inside) == 1:
            assert segment.class_id == KNOWN[inside[0]], (segment, heard_at)
            assert segment.heard is not None and segment.heard.word == inside[0]
            assert described["segments"][segment.index]["heard_word"] == inside[0]
            hits += 1
    assert hits >= 2  # the cuts fall between the words on this clip
    without = prepare(Path(clip.path), dataclasses.replace(options, lyrics=False), listener=listener)
    unheard = [s.index for s in prepared.plan.segments if s.heard is None]
    # The segments without a word keep the classes the seed gives without --lyrics.
    assert [prepared.plan.class_ids[i] for i in unheard] == [without.plan.class_ids[i] for i in unheard]


def test_typed_classes_still_come_first(tmp_path: Path) -> None:
    clip = write_wav(tmp_path / "c.wav", music(12.0, seed=2) * 0.5)
    listener = _Words(_said((0.5, "banana"), (5.0, "volcano"), (9.0, "umbrella")))
    options = RenderOptions(classes=(1,), seed=4, segment_seconds=4.0, lyrics=True)
    prepared = prepare(clip, options, listener=listener)
    first = prepared.plan.segments[0]
    assert first.class_id == 1 and first.asked and first.heard is None
    assert any(s.heard is not None and s.heard.word in ("volcano", "umbrella") for s in prepared.plan.segments[1:])


def test_a_clip_without_words_says_so_and_keeps_random_classes(tmp_path: Path, listener: WhisperListener) -> None:
    clip = write_wav(tmp_path / "music.wav", music(10.0, seed=7) * 0.5)
    options = RenderOptions(seed=5, segment_seconds=4.0, lyrics=True)
    prepared = prepare(clip, options, listener=listener)
    assert any("no words were heard" in note for note in prepared.notes)
    plain = prepare(clip, dataclasses.replace(options, lyrics=False))
    assert prepared.plan.class_ids.tolist() == plain.plan.class_ids.tolist()
    assert describe(prepared)["lyrics"]["words"] == []


def test_words_heard_that_show_nothing_say_so(tmp_path: Path) -> None:
    clip = write_wav(tmp_path / "music.wav", music(6.0, seed=7) * 0.5)
    prepared = prepare(clip, RenderOptions(seed=1, lyrics=True), listener=_Words(_sentence("and then it was so")))
    assert any("none names a thing" in note for note in prepared.notes)


def test_without_a_listener_nothing_is_heard_and_the_plan_is_random(tmp_path: Path) -> None:
    clip = write_wav(tmp_path / "music.wav", music(6.0, seed=7) * 0.5)
    prepared = prepare(clip, RenderOptions(seed=1, lyrics=True))
    assert prepared.hearing is None and "lyrics" not in describe(prepared)


def test_a_cut_close_to_its_word_moves_onto_it_a_far_one_stays(tmp_path: Path) -> None:
    clip = write_wav(tmp_path / "c.wav", music(12.0, seed=2) * 0.5)
    options = RenderOptions(seed=4, segment_seconds=3.0, lyrics=True)
    cuts = prepare(clip, dataclasses.replace(options, lyrics=False)).analysis.inflection_times
    assert len(cuts) >= 4
    near, far = float(cuts[1]) + 0.3, float(cuts[2]) + min(1.2, (cuts[3] - cuts[2]) / 2)
    listener = _Words(_said((near, "banana"), (far, "volcano")))
    moved = prepare(clip, options, listener=listener).plan.segments
    assert moved[1].heard is not None and moved[1].heard.word == "banana"
    assert moved[1].start_s == pytest.approx(near, abs=0.01)  # the banana is whole as it is named
    assert moved[2].heard is not None and moved[2].heard.word == "volcano"
    assert moved[2].start_s == pytest.approx(float(cuts[2]), abs=1e-6)  # too far: the music's cut stays
