"""The music style on music whose every note time is known: onsets, tempo, beats, the automatic
threshold, cuts on the music's events, codec stability, honest options, and the motion."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from pipeline import analysis as A
from pipeline import music as M
from pipeline.errors import ContradictoryOptions, InvalidOption
from pipeline.media.audio import decode_audio
from pipeline.music.threshold import target_length
from pipeline.plan import Motion, build_plan
from pipeline.render import RenderOptions, describe, prepare
from tests.conftest import transcode, write_wav
from tests.synth import RATE, drum_groove, onset_times, pad, piano_piece, render_notes

FRAME_S = 1 / 30


@pytest.fixture(scope="module")
def piano() -> tuple[np.ndarray, np.ndarray]:
    """40 s of piano in 8th and 16th notes at 96 bpm: (samples, note onset times)."""
    notes = piano_piece(40, 96, seed=1)
    return render_notes(notes, 40, seed=3), onset_times(notes)


@pytest.fixture(scope="module")
def groove() -> tuple[np.ndarray, np.ndarray]:
    """30 s of drums and bass at 120 bpm."""
    notes = drum_groove(30, 120, seed=2)
    return render_notes(notes, 30, seed=3), onset_times(notes)


def nearest(times: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Distance from each time to the nearest true onset."""
    return np.abs(times[:, None] - truth[None, :]).min(axis=1)


@pytest.mark.parametrize("clip", ["piano", "groove"])
def test_onsets_tempo_and_beats_are_found(clip: str, request: pytest.FixtureRequest) -> None:
    samples, truth = request.getfixturevalue(clip)
    found = M.rhythm(M.features(samples, RATE))
    precision = np.mean(nearest(found.onsets, truth) < 0.05)
    recall = np.mean(nearest(truth, found.onsets) < 0.05)
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)
    matched = nearest(found.onsets, truth) < 0.05
    offsets = found.onsets[matched] - truth[np.abs(found.onsets[:, None] - truth).argmin(axis=1)][matched]
    assert abs(np.median(offsets)) < 0.01  # no systematic lateness: a cut on an onset is on the note
    expected_bpm = 96.0 if clip == "piano" else 120.0
    assert found.tempo_bpm == pytest.approx(expected_bpm, rel=0.02)
    assert np.mean(nearest(found.beats, truth) < 0.05) >= 0.9
    assert np.median(np.diff(found.beats)) == pytest.approx(60 / expected_bpm, rel=0.03)


def test_drums_are_percussive_and_piano_tonal(piano: tuple[np.ndarray, np.ndarray]) -> None:
    hits = render_notes(drum_groove(8, 120, seed=4)[::3], 8)
    drums = M.rhythm(M.features(hits, RATE))
    keys = M.rhythm(M.features(piano[0][: 8 * RATE], RATE))
    assert np.median(drums.percussive) > np.median(keys.percussive) + 0.1


def test_speech_like_and_gliding_sound_have_no_made_up_tempo() -> None:
    glide = M.rhythm(M.features(pad(20.0, seed=1), RATE))
    assert glide.tempo_bpm is None and len(glide.beats) == 0 and len(glide.onsets) == 0


def _segments(samples: np.ndarray, **settings: object) -> tuple[A.Analysis, M.MusicAnalysis]:
    return M.analyse_music(samples, RATE, M.MusicSettings(**settings))  # type: ignore[arg-type]


@pytest.mark.parametrize("rests", [0, 3])
def test_auto_segments_suit_the_music_and_land_on_notes(rests: int) -> None:
    notes = piano_piece(40, 96, seed=5, rest_every=rests)
    analysis, music = _segments(render_notes(notes, 40, seed=3))
    lengths = np.diff(analysis.inflection_times)
    assert 2.0 <= lengths.mean() <= 8.0 and lengths.max() <= 12.0 and lengths.min() >= 0.95, lengths
    assert music.target_s is not None and 2.0 <= music.target_s <= 8.0
    interior = analysis.inflection_times[1:-1]
    assert np.mean(nearest(interior, onset_times(notes)) <= 0.05) >= 0.9
    if rests:  # a bar of silence after every three: the music comes back in at 10, 20 and 30 s
        assert np.all(nearest(np.array([10.0, 20.0, 30.0]), interior) <= 0.05), interior


def test_a_random_cut_lands_on_a_note_about_half_the_time(piano: tuple[np.ndarray, np.ndarray]) -> None:
    """The alignment goal means something: cuts that ignore the notes land near one far less often."""
    samples, truth = piano
    unsnapped, _ = _segments(samples, snap=M.Snap.NONE, signal=M.Signal.FLUX)
    snapped, _ = _segments(samples, signal=M.Signal.FLUX)
    random_cuts = np.random.default_rng(0).uniform(1, 39, 400)
    assert np.mean(nearest(random_cuts, truth) <= 0.05) < 0.75
    assert np.mean(nearest(snapped.inflection_times[1:-1], truth) <= 0.05) >= 0.9
    assert np.mean(nearest(snapped.inflection_times[1:-1], truth) <= 0.05) > np.mean(
        nearest(unsnapped.inflection_times[1:-1], truth) <= 0.05
    )


def test_snapping_to_beats_puts_cuts_on_beats(groove: tuple[np.ndarray, np.ndarray]) -> None:
    analysis, music = _segments(groove[0], snap=M.Snap.BEATS)
    assert np.all(nearest(analysis.inflection_times[1:-1], music.rhythm.beats) <= 0.01)


@pytest.mark.parametrize("signal", list(M.Signal))
def test_every_signal_gives_segments_within_the_goals(signal: M.Signal, groove: tuple[np.ndarray, np.ndarray]) -> None:
    analysis, _ = _segments(groove[0], signal=signal)
    lengths = np.diff(analysis.inflection_times)
    assert 2.0 <= lengths.mean() <= 8.0 and lengths.max() <= 12.0 and lengths.min() >= 0.95


def test_snapping_to_beats_without_a_beat_says_so() -> None:
    analysis, music = _segments(pad(20.0, seed=2), snap=M.Snap.BEATS)
    assert len(analysis.inflection_points) > 2
    assert music.notes == ("the clip has no steady beat, so the cuts stay where the signal turns.",)


def test_a_slowly_wandering_tone_gets_several_segments_and_silence_one() -> None:
    glide, _ = _segments(pad(30.0, seed=4))
    assert 3 <= len(glide.inflection_points) - 1 <= 10
    silence, _ = _segments(np.zeros(RATE * 5, np.float32))
    assert len(silence.inflection_points) == 2


def test_a_held_drone_after_music_stays_one_segment() -> None:
    """Static audio may make a segment longer than 12 s: there is nothing there to cut on."""
    music = render_notes(piano_piece(10, 96, seed=6), 10)
    t = np.arange(20 * RATE) / RATE
    drone = (0.3 * np.sin(2 * np.pi * 110 * t)).astype(np.float32)
    analysis, _ = _segments(np.concatenate([music, drone]))
    assert analysis.inflection_times[-2] < 12.0  # no cut inside the drone


def test_same_music_as_wav_mp3_ogg_and_m4a_cuts_the_same(tmp_path: Path, piano: tuple[np.ndarray, np.ndarray]) -> None:
    """The issue's goal: counts within one, and 80% of the cuts within a video frame of the WAV's."""
    wav = write_wav(tmp_path / "song.wav", piano[0][:, None])
    encoded = {
        "mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
        "ogg": ["-c:a", "libvorbis", "-q:a", "4"],
        "m4a": ["-c:a", "aac", "-b:a", "128k"],
    }
    reference, _ = _segments(decode_audio(wav).samples)
    assert len(reference.inflection_points) >= 6
    shares = []
    for suffix, args in encoded.items():
        other = decode_audio(transcode(wav, tmp_path / f"song.{suffix}", *args))
        cuts, _ = _segments(other.samples)
        assert abs(len(cuts.inflection_points) - len(reference.inflection_points)) <= 1, suffix
        shares.append(np.mean(nearest(reference.inflection_times[1:-1], cuts.inflection_times[1:-1]) <= FRAME_S))
    assert np.mean(shares) >= 0.8 and min(shares) >= 0.6, shares


# ----------------------------------------------------------------------------- options and styles


def test_paper_style_is_the_released_analysis_exactly(tmp_path: Path, piano: tuple[np.ndarray, np.ndarray]) -> None:
    clip = write_wav(tmp_path / "p.wav", piano[0][: 15 * RATE, None])
    prepared = prepare(clip, RenderOptions(seed=1, style=M.Style.PAPER))
    expected = A.analyse(prepared.audio.samples, RATE, threshold=A.DEFAULT_THRESHOLD)
    assert prepared.analysis.inflection_points.tolist() == expected.inflection_points.tolist()
    np.testing.assert_array_equal(prepared.analysis.alphas, expected.alphas)
    assert prepared.plan.frame_scale is None and prepared.plan.frame_drift is None
    counted = prepare(clip, RenderOptions(seed=1, style=M.Style.PAPER, segments=3))
    assert (
        counted.analysis.inflection_points.tolist()
        == A.analyse(prepared.audio.samples, RATE, segments=3).inflection_points.tolist()
    )


def test_paper_style_says_when_its_fixed_threshold_finds_no_cut(tmp_path: Path) -> None:
    seconds = np.arange(25 * RATE) / RATE
    drone = write_wav(tmp_path / "drone.wav", (0.3 * np.sin(2 * np.pi * 220 * seconds))[:, None])
    paper = prepare(drone, RenderOptions(seed=1, style=M.Style.PAPER))
    assert len(paper.plan.segments) == 1 and any("found no cut in 25 s" in note for note in paper.notes)
    short = write_wav(tmp_path / "short.wav", (0.3 * np.sin(2 * np.pi * 220 * seconds[: 5 * RATE]))[:, None])
    assert prepare(short, RenderOptions(seed=1, style=M.Style.PAPER)).notes == (), "a short clip is one morph anyway"


def test_segments_n_gives_n_or_says_the_closest_and_why(tmp_path: Path, piano: tuple[np.ndarray, np.ndarray]) -> None:
    clip = write_wav(tmp_path / "p.wav", piano[0][: 12 * RATE, None])
    six = prepare(clip, RenderOptions(seed=1, segments=6))
    assert len(six.plan.segments) == 6 and six.notes == ()
    many = prepare(clip, RenderOptions(seed=1, segments=60))
    assert len(many.plan.segments) < 60
    (note,) = many.notes
    assert note.startswith(f"asked for 60 segments, made {len(many.plan.segments)}")
    paper = prepare(clip, RenderOptions(seed=1, segments=60, style=M.Style.PAPER))
    assert paper.notes and "asked for 60 segments" in paper.notes[0]


def test_segment_seconds_hold_over_the_whole_clip(piano: tuple[np.ndarray, np.ndarray]) -> None:
    for signal, style_filter in ((M.Signal.RMS, False), (M.Signal.TV, True)):
        analysis, _ = _segments(piano[0], segment_seconds=3.0, signal=signal, paper_filter=style_filter)
        lengths = np.diff(analysis.inflection_times)
        assert lengths.max() <= 1.75 * 3.0 and 2.0 <= lengths.mean() <= 4.0, lengths


@pytest.mark.parametrize(
    "options",
    [
        RenderOptions(segments=4, threshold=0.02),
        RenderOptions(segments=4, segment_seconds=3.0),
        RenderOptions(threshold=0.02, segment_seconds=3.0),
    ],
)
def test_contradictory_options_are_refused_in_one_sentence(options: RenderOptions, tmp_path: Path) -> None:
    with pytest.raises(ContradictoryOptions, match=r"give only one of them\.$"):
        prepare(tmp_path / "never-read.wav", options)


def test_pulse_and_motion_out_of_range_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidOption, match="--pulse must be between 0 and 1"):
        prepare(tmp_path / "x.wav", RenderOptions(pulse=2.0))


def test_old_job_records_read_as_the_paper_style_and_new_ones_round_trip() -> None:
    old = RenderOptions.from_dict({"threshold": 0.035, "segments": None, "kind": "min", "channel": "left"})
    assert old.style is M.Style.PAPER and old.music_settings().threshold == 0.035
    old_counted = RenderOptions.from_dict({"threshold": 0.035, "segments": 4})
    assert old_counted.threshold is None and old_counted.segments == 4
    new = RenderOptions(seed=3, snap=M.Snap.BEATS, pulse=0.5, segments=None)
    assert RenderOptions.from_dict(new.as_dict()) == new
    assert RenderOptions().music_settings() == M.MusicSettings(signal=M.Signal.RMS, snap=M.Snap.PHRASES)


def test_json_reports_onsets_beats_tempo_and_segment_lengths(
    tmp_path: Path, groove: tuple[np.ndarray, np.ndarray]
) -> None:
    clip = write_wav(tmp_path / "g.wav", groove[0][: 16 * RATE, None])
    report = describe(prepare(clip, RenderOptions(seed=1)))
    assert report["style"] == "music" and report["signal"] == "rms" and report["snap"] == "phrases"
    assert report["tempo"] == pytest.approx(120, rel=0.02)
    assert len(report["onsets"]) > 20 and len(report["beats"]) > 20
    assert all(s["length"] == pytest.approx(s["end"] - s["start"], abs=2e-3) for s in report["segments"])


# ----------------------------------------------------------------------------- motion


def test_pulse_and_drift_move_the_latent_smoothly_and_deterministically(groove: tuple[np.ndarray, np.ndarray]) -> None:
    analysis, music = _segments(groove[0][: 12 * RATE])
    still = build_plan(analysis, fps=30, seed=4)
    moving = build_plan(analysis, fps=30, seed=4, motion=Motion(music, pulse=0.3, drift=0.3))
    again = build_plan(analysis, fps=30, seed=4, motion=Motion(music, pulse=0.3, drift=0.3))
    np.testing.assert_array_equal(still.latents, moving.latents)  # motion draws after the latents
    z_still, y_still = still.frame_inputs(0, still.n_frames)
    z, y = moving.frame_inputs(0, moving.n_frames)
    np.testing.assert_array_equal(z, again.frame_inputs(0, again.n_frames)[0])
    np.testing.assert_array_equal(y, y_still)  # the classes are the cuts' business only
    assert z.shape == (still.n_frames, 128) and z.dtype == np.float32
    assert moving.frame_scale is not None and moving.frame_scale.min() >= 1.0
    assert moving.frame_scale.max() > 1.2  # the drums kick
    # Kicks fall on percussive onsets: the scale rises at (within a frame of) an onset.
    rises = np.flatnonzero(np.diff(moving.frame_scale) > 0.05) + 1
    assert np.all(nearest(rises / 30, music.rhythm.onsets) <= 1.5 * FRAME_S)
    assert not np.allclose(z, z_still)
    # The drift never jumps: each frame's step stays small next to a latent's length.
    assert moving.frame_drift is not None and moving.drift_axes is not None
    drift = moving.frame_drift @ moving.drift_axes
    assert np.abs(drift[0]).max() == 0.0
    step = np.linalg.norm(np.diff(drift, axis=0), axis=1)
    assert 0 < step.max() < 0.05 * np.linalg.norm(still.latents, axis=1).mean()


def _rhythm(onsets: int, seconds: float, bpm: float) -> M.Rhythm:
    times = np.linspace(0, seconds, onsets, endpoint=False)
    ones = np.ones(onsets)
    return M.Rhythm(times, ones, ones, bpm, np.empty(0), 0.9)


def test_the_target_moves_smoothly_with_the_note_density() -> None:
    """Codecs find a tenth more or fewer weak onsets in a busy mix: the target must not jump with them.

    Whole phrases of 1, 2 or 4 bars flipped from one bar to two between 560 and 590 onsets in 90 s
    at 100 bpm, so one recording gave 46 segments as WAV and 28 as AAC.
    """
    targets = [target_length(_rhythm(count, 90.0, 100.0), 90.0) for count in range(520, 640, 10)]
    assert max(targets) / min(targets) < 1.15
    assert np.all(np.diff(np.log(targets)) < math.log(1.03))  # no step anywhere


def test_the_mean_segment_is_two_seconds_or_more_on_busy_music() -> None:
    """16th notes at a brisk tempo aimed at one bar; the fix-ups then left the mean under 2 s."""
    notes = drum_groove(40, 150, seed=7) + piano_piece(40, 150, seed=8)
    analysis, _ = _segments(render_notes(notes, 40, seed=3))
    assert np.diff(analysis.inflection_times).mean() >= 2.0


def test_a_dc_offset_changes_no_cut(piano: tuple[np.ndarray, np.ndarray]) -> None:
    samples = 0.6 * piano[0]
    plain, _ = _segments(samples)
    for offset in (0.05, -0.02):
        shifted, _ = _segments((samples + offset).astype(np.float32))
        assert np.array_equal(shifted.inflection_points, plain.inflection_points), offset


@pytest.mark.parametrize("wanted", [3, 5, 10])
def test_asked_for_segments_spread_over_the_clip(wanted: int) -> None:
    """--segments N: N segments, none many times its share (the scan's N clearest turns sat together)."""
    music = render_notes(piano_piece(30, 96, seed=6), 30)
    fade = np.linspace(1, 0, 10 * RATE, dtype=np.float32) * render_notes(piano_piece(10, 96, seed=9), 10)
    samples = np.concatenate([music, fade])  # the loudness's clearest lows all in the fade
    analysis, music_analysis = _segments(samples, segments=wanted)
    lengths = np.diff(analysis.inflection_times)
    assert len(lengths) == wanted and not music_analysis.notes
    assert lengths.max() <= 2.5 * 40.0 / wanted, lengths


def test_a_fixed_threshold_keeps_cuts_a_second_apart(piano: tuple[np.ndarray, np.ndarray]) -> None:
    analysis, _ = _segments(piano[0], threshold=1e-4)
    assert np.diff(analysis.inflection_times).min() >= M.MIN_GAP_S - 1 / 172
