"""Decoding any media ffmpeg reads, and refusing what it cannot, each with one clear error."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import (
    AudioTooLong,
    AudioTooShort,
    CorruptMedia,
    InvalidOption,
    MediaNotFound,
    NoAudioStream,
    NotMedia,
)
from pipeline.media.audio import ANALYSIS_RATE, Channel, decode_audio
from pipeline.media.ffmpeg import base_command
from tests.conftest import ClipMaker, music_like, write_wav


@pytest.mark.parametrize("name", ["a.mp3", "a.ogg", "a.opus", "a.flac", "a.m4a", "a.aac", "a.wav"])
def test_audio_formats_decode_to_the_analysis_rate(make_clip: ClipMaker, name: str) -> None:
    decoded = decode_audio(make_clip(3.0, name=name))
    assert decoded.sample_rate == ANALYSIS_RATE
    assert decoded.samples.dtype == np.float32
    assert decoded.duration_s == pytest.approx(3.0, abs=0.08)  # lossy codecs pad a frame or so
    assert 0.1 < np.abs(decoded.samples).max() < 1.2  # lossy codecs overshoot a little


@pytest.mark.parametrize("container", ["mp4", "mov", "mkv", "webm"])
def test_the_audio_of_video_files(make_clip: ClipMaker, tmp_path: Path, container: str) -> None:
    wav = make_clip(2.5)
    video = tmp_path / f"clip.{container}"
    codecs = ["-c:v", "libvpx-vp9", "-c:a", "libopus"] if container == "webm" else ["-c:v", "libx264", "-c:a", "aac"]
    subprocess.run(
        [*base_command(), "-y", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=2.5", "-i", str(wav),
         *codecs, "-shortest", str(video)],
        check=True,
    )  # fmt: skip
    assert decode_audio(video).duration_s == pytest.approx(2.5, abs=0.1)


@pytest.mark.parametrize("dtype", ["int16", "int32", "float32", "uint8"])
@pytest.mark.parametrize("rate", [8000, 22_050, 48_000, 96_000])
def test_any_rate_and_sample_type(tmp_path: Path, dtype: str, rate: int) -> None:
    wav = write_wav(tmp_path / "x.wav", music_like(1.5, rate, channels=1), rate, dtype)
    decoded = decode_audio(wav)
    assert decoded.sample_rate == ANALYSIS_RATE
    assert decoded.duration_s == pytest.approx(1.5, abs=2 / rate + 1e-4)


def test_channels_left_right_and_mix(tmp_path: Path) -> None:
    n = ANALYSIS_RATE * 2
    left, right = np.full(n, 0.5, np.float32), np.full(n, -0.25, np.float32)
    wav = write_wav(tmp_path / "lr.wav", np.stack([left, right], axis=1), dtype="float32")
    assert decode_audio(wav, channel=Channel.LEFT).samples.mean() == pytest.approx(0.5)
    assert decode_audio(wav, channel=Channel.RIGHT).samples.mean() == pytest.approx(-0.25)
    assert decode_audio(wav, channel=Channel.MIX).samples.mean() == pytest.approx(0.125)


def test_mono_and_surround_files(tmp_path: Path) -> None:
    mono = write_wav(tmp_path / "mono.wav", music_like(1.5, channels=1))
    for channel in Channel:  # the released code broke on mono; every channel choice works here
        assert decode_audio(mono, channel=channel).duration_s == pytest.approx(1.5, abs=1e-3)
    surround = write_wav(tmp_path / "six.wav", music_like(1.5, channels=6))
    assert decode_audio(surround).samples.std() > 0.01


def test_left_channel_of_a_44k_int16_wav_is_exact(tmp_path: Path) -> None:
    signal = music_like(1.5)
    wav = write_wav(tmp_path / "exact.wav", signal)
    expected = np.clip(signal[:, 0] * 32767, -32768, 32767).astype(np.int16) / 32768
    np.testing.assert_array_equal(decode_audio(wav).samples, expected.astype(np.float32))


def test_start_and_duration_trim(make_clip: ClipMaker) -> None:
    clip = make_clip(5.0)
    whole = decode_audio(clip).samples
    part = decode_audio(clip, start_s=1.0, duration_s=2.0)
    assert part.duration_s == pytest.approx(2.0, abs=1e-3)
    np.testing.assert_array_equal(part.samples, whole[ANALYSIS_RATE : 3 * ANALYSIS_RATE])


def test_too_long_audio_is_refused_without_decoding_it_all(make_clip: ClipMaker) -> None:
    clip = make_clip(6.0)
    with pytest.raises(AudioTooLong, match="maximum of 4 s"):
        decode_audio(clip, max_duration_s=4.0)
    assert decode_audio(clip, max_duration_s=4.0, duration_s=4.0).duration_s == pytest.approx(4.0)
    with pytest.raises(AudioTooLong):
        decode_audio(clip, duration_s=5.0, max_duration_s=4.0)


def test_bad_inputs_each_have_their_error(tmp_path: Path, make_clip: ClipMaker) -> None:
    with pytest.raises(MediaNotFound):
        decode_audio(tmp_path / "nope.mp3")
    text = tmp_path / "notes.mp3"
    text.write_text("these are not sounds\n" * 50)
    with pytest.raises(NotMedia, match="not an audio or video file"):
        decode_audio(text)
    silent_video = tmp_path / "silent.mp4"
    subprocess.run([*base_command(), "-f", "lavfi", "-i", "testsrc=duration=1", str(silent_video)], check=True)
    with pytest.raises(NoAudioStream, match="no audio track"):
        decode_audio(silent_video)
    wav = make_clip(3.0)
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(wav.read_bytes()[:50_001])
    with pytest.raises(CorruptMedia, match="damaged or truncated"):
        decode_audio(truncated)
    with pytest.raises(AudioTooShort, match="at least 1 s"):
        decode_audio(write_wav(tmp_path / "blip.wav", music_like(0.4)))


def test_damaged_mp3_is_reported(make_clip: ClipMaker, tmp_path: Path) -> None:
    mp3 = make_clip(3.0, name="ok.mp3").read_bytes()
    noise = np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    damaged = tmp_path / "damaged.mp3"
    damaged.write_bytes(mp3[:5000] + noise + mp3[9000:])
    with pytest.raises(CorruptMedia):
        decode_audio(damaged)


def test_trim_options_out_of_range() -> None:
    with pytest.raises(InvalidOption, match="--start"):
        decode_audio(Path("x.wav"), start_s=-1)
    with pytest.raises(InvalidOption, match="--duration"):
        decode_audio(Path("x.wav"), duration_s=0.2)


@pytest.mark.parametrize(
    ("start", "duration", "max_duration", "option"),
    [
        (0.0, None, -1.0, "--max-duration"),
        (0.0, None, 0.0, "--max-duration"),
        (0.0, None, float("inf"), "--max-duration"),
        (0.0, None, float("nan"), "--max-duration"),
        (1e300, None, 600.0, "--start"),
        (float("nan"), None, 600.0, "--start"),
        (-1.0, None, 600.0, "--start"),
        (0.0, float("inf"), 600.0, "--duration"),
        (0.0, 0.5, 600.0, "--duration"),
    ],
)
def test_trims_and_limits_that_cannot_make_sense_are_refused(
    make_clip: ClipMaker, start: float, duration: float | None, max_duration: float, option: str
) -> None:
    with pytest.raises(InvalidOption, match=f"^{option} must be"):
        decode_audio(make_clip(1.5), start_s=start, duration_s=duration, max_duration_s=max_duration)


def test_a_long_file_is_refused_without_decoding_all_of_it(tmp_path: Path) -> None:
    import time

    long = write_wav(tmp_path / "long.wav", np.zeros(8000 * 3600, np.float32), rate=8000, dtype="uint8")  # an hour
    started = time.monotonic()
    with pytest.raises(AudioTooLong):
        decode_audio(long, max_duration_s=5.0)
    assert time.monotonic() - started < 5.0, "only the first seconds were decoded"


def test_a_start_past_the_end_says_how_long_the_audio_is(make_clip: ClipMaker) -> None:
    from pipeline.errors import StartPastEnd

    with pytest.raises(StartPastEnd, match=r"--start 9 s is past the end of the audio, which is 3\.00 s long"):
        decode_audio(make_clip(3.0), start_s=9.0)


def test_streamed_and_cut_off_wavs_decode_what_they_hold(tmp_path: Path) -> None:
    """A WAV from a pipe (size fields 0xFFFFFFFF) and one cut off mid-sample are valid to the end."""
    streamed = tmp_path / "piped.wav"
    with streamed.open("wb") as out:
        subprocess.run([*base_command(), "-f", "lavfi", "-i", "sine=d=3", "-f", "wav", "-"], stdout=out, check=True)
    assert streamed.read_bytes()[4:8] == b"\xff\xff\xff\xff"
    assert decode_audio(streamed).duration_s == pytest.approx(3.0, abs=0.03)
    whole = write_wav(tmp_path / "whole.wav", music_like(4.0))
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: 44 + 2 * 2 * 44_100 * 3 + 1])  # 3 s and half a sample
    assert decode_audio(cut).duration_s == pytest.approx(3.0, abs=0.03)


def test_damage_is_told_in_plain_words(tmp_path: Path, make_clip: ClipMaker) -> None:
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(make_clip(3.0).read_bytes()[:50_001])
    with pytest.raises(CorruptMedia) as caught:
        decode_audio(truncated)
    message = str(caught.value)
    assert "return code" not in message and "-1094995529" not in message and ".)." not in message
    assert re.fullmatch(r"the clip is damaged or truncated \([a-z][^()]*[^.]\)\.", message), message


def test_a_silent_chosen_channel_gives_way_to_the_other(tmp_path: Path) -> None:
    song = music_like(3.0, channels=1)[:, 0]
    for left in (np.zeros_like(song), song * 10 ** (-60 / 20)):  # nothing, and hiss 60 dB down
        wav = write_wav(tmp_path / "right.wav", np.stack([left, song], axis=1))
        decoded = decode_audio(wav, channel=Channel.LEFT)
        assert np.abs(decoded.samples).max() > 0.1
        assert decoded.notes and "left channel is silent" in decoded.notes[0]
    quieter = write_wav(tmp_path / "quieter.wav", np.stack([song * 0.1, song], axis=1))  # 20 dB: a real mix
    kept = decode_audio(quieter, channel=Channel.LEFT)
    assert kept.notes == () and np.abs(kept.samples).max() < 0.2


@pytest.mark.parametrize(("count", "rate"), [(9, 44_100), (32, 22_050), (64, 44_100), (255, 44_100), (255, 48_000)])
def test_wavs_with_any_channel_count_are_mixed(tmp_path: Path, count: int, rate: int) -> None:
    # Channels without a default layout: the first two are left and right, "mix" is the mean of all.
    # Over 64 channels ffmpeg's resampler refuses them; they are mixed as they are read.
    n = rate * 2
    levels = np.full(count, 0.1, np.float32)
    levels[:2] = 0.5, -0.25
    wav = write_wav(tmp_path / f"{count}.wav", np.broadcast_to(levels, (n, count)), rate, "int16")
    middle = slice(ANALYSIS_RATE // 2, ANALYSIS_RATE * 3 // 2)  # away from the resampler's edges
    left, right, mix = (decode_audio(wav, channel=channel) for channel in Channel)
    assert left.duration_s == pytest.approx(2.0, abs=1e-3) and left.sample_rate == ANALYSIS_RATE
    assert left.samples[middle].mean() == pytest.approx(0.5, abs=1e-3)
    assert right.samples[middle].mean() == pytest.approx(-0.25, abs=1e-3)
    assert mix.samples[middle].mean() == pytest.approx(levels.mean(), abs=1e-3)


def test_a_clip_of_a_few_samples_says_how_long_it_is(tmp_path: Path) -> None:
    from pipeline.errors import SampleRateTooLow

    # 8 samples at 1 Hz are 8 s long, but no resampler keeps anything of them.
    with pytest.raises(SampleRateTooLow, match="the audio is 8 s long but its sample rate is 1 Hz"):
        decode_audio(write_wav(tmp_path / "slow.wav", np.full((8, 1), 0.5, np.float32), 1))
    # 8 samples at 8 kHz: a millisecond, said as such (not "0.00 s").
    with pytest.raises(AudioTooShort, match=r"the audio is 0\.001 s long"):
        decode_audio(write_wav(tmp_path / "blip.wav", np.full((8, 1), 0.5, np.float32), 8000))


def test_a_compressed_stream_of_over_64_channels_is_refused_in_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.media.audio as A
    from pipeline.errors import TooManyChannels

    # Opus and Vorbis allow 255 channels, decoded as planar floats that neither ffmpeg's resampler
    # nor the packed reader takes (the bundled ffmpeg cannot write such a file: its stream is described).
    wav = write_wav(tmp_path / "many.wav", np.zeros((ANALYSIS_RATE, 255), np.float32))
    monkeypatch.setattr(A, "_unlaid_stream", lambda *_: A._Unlaid(48_000, 255, "fltp"))
    with pytest.raises(TooManyChannels, match=r'"many\.opus" has 255 audio channels') as raised:
        decode_audio(wav, name="many.opus")
    assert not raised.value.machine_fault
