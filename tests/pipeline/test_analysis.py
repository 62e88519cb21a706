"""The method against matplotlib and against a plain loop written straight from the released code's rules."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from matplotlib import mlab
from scipy.io import wavfile

from pipeline import analysis as A
from pipeline.media.audio import decode_audio
from tests.conftest import music_like, write_wav


def oracle_inflection_points(
    arr: np.ndarray, threshold: float, kind: str = "min", rolling_length: int = 200, absolute_threshold: float = 0.08
) -> list[int]:
    """The slow, obvious scan: one start position at a time, as the released code walks it."""
    points = [0]
    i = 0
    n = len(arr)
    while i < n - rolling_length - 1:
        column = i + rolling_length + 1
        prev_mean = np.mean(arr[i : i + rolling_length])
        following = arr[column + 1 : column + rolling_length + 1]
        if len(following) == 0:  # the released code's mean of nothing is NaN: never a peak
            i += 1
            continue
        next_mean = np.mean(following)
        same_side = np.sign(arr[column] - prev_mean) == np.sign(arr[column] - next_mean)
        extremum = np.sign(arr[column] - arr[column - 1]) == np.sign(arr[column] - arr[column + 1])
        far = abs(arr[column] - prev_mean) > threshold and abs(arr[column] - next_mean) > threshold
        if same_side and extremum and far:
            skip = (kind == "min" and (arr[column] > arr[column - 1] or arr[column] > absolute_threshold)) or (
                kind == "max" and arr[column] < arr[column - 1]
            )
            if not skip:
                points.append(column)
            i += rolling_length
        else:
            i += 1
    points.append(n - 1)
    return points


def released_smoothed_tv(left: np.ndarray) -> np.ndarray:
    """The released code's signal: specgram → TV → / max → running mean 'valid' → front padding."""
    spec, _, _ = mlab.specgram(left)
    tv = np.mean(np.abs(np.diff(spec, axis=1)), axis=0)
    tv = tv / tv.max()
    running = np.convolve(tv, np.ones(256) / 256, mode="valid")
    return np.concatenate([np.full(256, running[0]), running])


def random_smooth_signal(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(size=n))
    walk = np.convolve(walk, np.ones(40) / 40, mode="same")
    walk -= walk.min()
    return walk / walk.max() * rng.uniform(0.05, 1.0)


def test_spectrogram_matches_matplotlib_specgram_defaults() -> None:
    x = music_like(1.5, channels=1)[:, 0].astype(np.float64)
    expected, _, _ = mlab.specgram(x)
    ours = A.spectrogram(x)
    assert ours.shape == expected.shape == (129, A.n_columns_for(len(x)))
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-18)
    np.testing.assert_allclose(A.spectrogram(x, 10, 20), expected[:, 10:20], rtol=1e-9, atol=1e-18)


def test_tv_in_chunks_equals_tv_of_the_whole_spectrogram(monkeypatch: pytest.MonkeyPatch) -> None:
    x = music_like(2.0, channels=1)[:, 0]
    whole = A.tv_distances(x)
    monkeypatch.setattr(A, "_CHUNK_COLUMNS", 97)
    np.testing.assert_allclose(A.tv_distances(x), whole, rtol=1e-12)
    assert whole.max() == 1.0


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("kind", ["min", "max", "both"])
def test_fast_scan_equals_the_loop_on_random_signals(seed: int, kind: str) -> None:
    arr = random_smooth_signal(600 + 137 * seed, seed)
    search = A.InflectionSearch.build(arr, A.InflectionKind(kind))
    for threshold in (0.0, 1e-4, 1e-3, 1e-2, 0.035, 0.1, 0.3):
        assert search.points(threshold).tolist() == oracle_inflection_points(arr, threshold, kind)


def test_fast_scan_equals_the_loop_on_plateaus_and_short_signals() -> None:
    steps = np.repeat(np.array([0.0, 0.05, 0.01, 0.3, 0.3, 0.02, 0.0]), 150)
    for arr in (steps, np.zeros(700), np.linspace(0, 1, 402), random_smooth_signal(150, 1)):
        search = A.InflectionSearch.build(arr, A.InflectionKind.BOTH)
        for threshold in (0.0, 0.01, 0.05):
            assert search.points(threshold).tolist() == oracle_inflection_points(arr, threshold, "both")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_real_audio_gives_the_released_codes_columns(tmp_path: Path, seed: int) -> None:
    """A 44.1 kHz WAV read as the released code read it, against our decode + analysis."""
    wav = write_wav(tmp_path / "song.wav", music_like(20.0, seed=seed))
    _, data = wavfile.read(wav)
    reference = released_smoothed_tv(data[:, 0])  # the left channel, int16, as scipy gives it
    decoded = decode_audio(wav)
    ours = A.analyse(decoded.samples, decoded.sample_rate, threshold=0.01)
    np.testing.assert_allclose(ours.smoothed, reference, rtol=1e-9)
    for threshold in (0.01, 0.035):
        expected = oracle_inflection_points(reference, threshold)
        assert A.InflectionSearch.build(ours.smoothed).points(threshold).tolist() == expected
    assert len(ours.inflection_points) > 2, "the test clip should have cuts"


def test_other_sample_rates_cut_at_the_same_seconds(tmp_path: Path) -> None:
    """The same band-limited sound recorded at three rates (white noise would differ above 11 kHz)."""
    times = {}
    for rate in (44_100, 22_050, 48_000):
        wav = write_wav(tmp_path / f"r{rate}.wav", music_like(12.0, rate, seed=3, noise=False), rate)
        decoded = decode_audio(wav)
        times[rate] = A.analyse(decoded.samples, decoded.sample_rate, threshold=0.01).inflection_times
    assert len(times[44_100]) > 2
    for rate in (22_050, 48_000):
        assert len(times[rate]) == len(times[44_100])
        np.testing.assert_allclose(times[rate], times[44_100], atol=0.05)


def test_alphas_rise_from_near_zero_to_one_inside_every_segment() -> None:
    arr = random_smooth_signal(3000, 5)
    points = A.InflectionSearch.build(arr, A.InflectionKind.BOTH).points(0.01)
    alphas, segments = A.segment_alphas(arr, points)
    assert len(points) > 3
    for index, (begin, end) in enumerate(itertools.pairwise(points)):
        part = alphas[begin:end]
        assert np.all(np.diff(part) >= 0) and part[-1] == pytest.approx(1.0)
        assert part[0] == pytest.approx(arr[begin] / arr[begin:end].sum())
        assert np.all(segments[begin:end] == index)
    assert alphas[-1] == 1.0 and segments[-1] == len(points) - 2


def test_silence_is_one_segment_with_a_linear_ramp() -> None:
    result = A.analyse(np.zeros(44_100 * 3, dtype=np.float32), 44_100)
    assert result.inflection_points.tolist() == [0, result.n_columns - 1]
    assert np.all(np.diff(result.alphas[:-1]) > 0) and result.alphas[-1] == 1.0


@pytest.mark.parametrize("wanted", [1, 2, 4, 6])
def test_segments_option_finds_a_threshold_giving_that_many(wanted: int) -> None:
    x = music_like(30.0, seed=4, channels=1)[:, 0]
    result = A.analyse(x, 44_100, segments=wanted, kind=A.InflectionKind.BOTH)
    assert len(result.inflection_points) - 1 == wanted
    again = A.analyse(x, 44_100, threshold=result.threshold, kind=A.InflectionKind.BOTH)
    assert again.inflection_points.tolist() == result.inflection_points.tolist()


def test_segments_beyond_what_the_clip_allows_gives_the_most_it_can() -> None:
    x = music_like(5.0, seed=4, channels=1)[:, 0]
    most = A.analyse(x, 44_100, threshold=0.0, kind=A.InflectionKind.BOTH)
    asked = A.analyse(x, 44_100, segments=500, kind=A.InflectionKind.BOTH)
    assert len(asked.inflection_points) == len(most.inflection_points)
