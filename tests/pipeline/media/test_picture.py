"""Clips people send with odd pictures: late, short, with gaps, changing size, or costly to decode.

Each clip is made with the bundled ffmpeg: a picture of one solid colour per stretch of time, so the
colour of the clip's region in every rendered frame can be checked against the moment it shows.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from pipeline.media.ffmpeg import base_command
from pipeline.media.layout import PICTURE_BUDGET_PER_S, Layout, Picture, parse_picture, picture_budget_note
from tests.conftest import music_like, write_wav

RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 255, 0)
FPS = 10  # the rendered video's


def run_ffmpeg(*args: str) -> None:
    subprocess.run([*base_command(), "-y", *args], check=True)


def solid(path: Path, colour: tuple[int, int, int], size: str, seconds: float, offset: float = 0.0) -> Path:
    """A video-only MPEG-TS stretch of one colour, its timestamps starting at `offset` seconds."""
    hex_colour = "0x{:02x}{:02x}{:02x}".format(*colour)
    run_ffmpeg("-f", "lavfi", "-i", f"color=c={hex_colour}:size={size}:rate=25:duration={seconds}",
               "-c:v", "libx264", "-pix_fmt", "yuv420p", "-output_ts_offset", f"{offset:.3f}", "-f", "mpegts",
               str(path))  # fmt: skip
    return path


def with_sound(parts: list[Path], target: Path, seconds: float, *, video_offset: float = 0.0) -> Path:
    """The parts' pictures, one after another as their timestamps say, with `seconds` of music-like sound."""
    joined = target.with_suffix(".joined.ts")
    joined.write_bytes(b"".join(part.read_bytes() for part in parts))  # as HLS segments are joined
    sound = write_wav(target.with_suffix(".wav"), music_like(seconds, seed=4))
    run_ffmpeg("-itsoffset", f"{video_offset:.3f}", "-i", str(joined), "-i", str(sound),
               "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac", str(target))  # fmt: skip
    return target


def render_side(clip: Path, out: Path, weights: Path, *extra: str) -> dict[str, object]:
    """`ganterp render` side by side at 64 px and FPS frames a second; the sidecar."""
    from bot.cli.main import main
    from pipeline.render import read_sidecar

    argv = ["render", str(clip), "-o", str(out), "--weights", str(weights), "--layout", "side", "--fps", str(FPS),
            "--size", "64", "--seed", "1", *extra]  # fmt: skip
    assert main(argv) == 0
    return read_sidecar(out)


def clip_colours(video: Path) -> list[tuple[int, int, int]]:
    """The colour at the middle of the clip's box (right of the 64 px GANterpretation) in every frame."""
    from tests.media import decoded_frames

    frames = decoded_frames(video)
    x = 64 + (frames.shape[2] - 64) // 2
    return [tuple(int(v) for v in frame[frames.shape[1] // 2, x]) for frame in frames]


def near(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return max(abs(a - b) for a, b in zip(pixel, colour, strict=True)) < 60


def assert_colours(colours: list[tuple[int, int, int]], expected: dict[float, tuple[int, int, int]]) -> None:
    for seconds, colour in expected.items():
        index = round(seconds * FPS)
        assert near(colours[index], colour), (seconds, colours[index], colour)


def test_a_picture_that_ends_early_holds_its_last_frame(tmp_path: Path, tiny_weights: Path) -> None:
    # The picture ends 0.5 s before the sound: every frame is still there, the last colour held.
    parts = [solid(tmp_path / "a.ts", RED, "160x90", 1.5), solid(tmp_path / "b.ts", BLUE, "160x90", 1.0, 1.5)]
    clip = with_sound(parts, tmp_path / "early.mp4", 3.0)
    out = tmp_path / "v.mp4"
    described = render_side(clip, out, tiny_weights, "--max-bytes", "2000000")
    colours = clip_colours(out)
    assert len(colours) == described["n_frames"] == 30
    assert_colours(colours, {0.5: RED, 2.0: BLUE, 2.9: BLUE})


def test_a_picture_that_starts_late_or_has_a_gap_keeps_its_own_times(tmp_path: Path, tiny_weights: Path) -> None:
    # The picture starts 1 s after the sound (its first frame shown until then), blue from 1 s, red from
    # 2 s; then no frames from 2.5 s to 3.5 s (the last one held), then green.
    parts = [
        solid(tmp_path / "a.ts", BLUE, "160x90", 1.0),
        solid(tmp_path / "b.ts", RED, "160x90", 0.5, 1.0),
        solid(tmp_path / "c.ts", GREEN, "160x90", 0.5, 2.5),
    ]
    clip = with_sound(parts, tmp_path / "late.mp4", 4.0, video_offset=1.0)
    out = tmp_path / "v.mp4"
    render_side(clip, out, tiny_weights)
    colours = clip_colours(out)
    assert len(colours) == 40
    assert_colours(colours, {0.3: BLUE, 1.5: BLUE, 2.2: RED, 3.0: RED, 3.8: GREEN})


def test_a_picture_whose_size_changes_keeps_one_shape(tmp_path: Path, tiny_weights: Path) -> None:
    # An HLS recording switching from 640×360 to 1280×720 halfway.
    parts = [solid(tmp_path / "a.ts", RED, "640x360", 1.5), solid(tmp_path / "b.ts", BLUE, "1280x720", 1.5, 1.5)]
    clip = with_sound(parts, tmp_path / "switch.mkv", 3.0)
    out = tmp_path / "v.mp4"
    described = render_side(clip, out, tiny_weights, "--max-bytes", "2000000")
    colours = clip_colours(out)
    assert len(colours) == 30 and (described["width"], described["height"]) == (64 + 114, 64)
    assert_colours(colours, {0.5: RED, 2.5: BLUE})


def test_a_picture_whose_size_changes_every_frame_is_still_a_video(tmp_path: Path, tiny_weights: Path) -> None:
    from tests.media import probe

    sizes = [(160 + 32 * (i % 5), 90 + 18 * (i * 3 % 4)) for i in range(25)]
    parts = [
        solid(tmp_path / f"{i}.ts", RED if i < 12 else BLUE, f"{w}x{h}", 0.04 * 3, 0.12 * i)
        for i, (w, h) in enumerate(sizes)
    ]
    clip = with_sound(parts, tmp_path / "sizes.mkv", 3.0)
    out = tmp_path / "v.mp4"
    described = render_side(clip, out, tiny_weights)
    info = probe(out)  # asserts a video stream and an audio stream
    assert (info.width, info.height) == (described["width"], described["height"])
    colours = clip_colours(out)
    assert len(colours) == described["n_frames"] == 30
    assert_colours(colours, {0.5: RED, 2.0: BLUE})


def test_the_sidecar_hashes_the_frames_the_file_holds(tmp_path: Path, tiny_weights: Path) -> None:
    from pipeline.biggan.generator import BigGANGenerator
    from pipeline.media.layout import geometry
    from pipeline.media.picture import ClipFrames, compose
    from pipeline.render import RenderOptions, prepare, render

    parts = [solid(tmp_path / "a.ts", RED, "160x90", 0.5), solid(tmp_path / "b.ts", BLUE, "160x90", 0.5, 0.5)]
    clip = with_sound(parts, tmp_path / "c.mp4", 2.0)
    prepared = prepare(clip, RenderOptions(seed=1, fps=FPS, size=64, layout=Layout.SIDE))
    generator = BigGANGenerator(tiny_weights, device="cpu")
    result = render(prepared, tmp_path / "v.mp4", generator)
    plan = prepared.plan
    gan = generator.generate(*plan.frame_inputs(0, plan.n_frames), plan.truncation, 64)
    frame = geometry(prepared.layout, 64, prepared.picture)
    picture = ClipFrames(clip, frame, FPS, 0.0, prepared.audio.duration_s)
    try:
        whole = compose(frame, gan, picture.read(plan.n_frames))
    finally:
        picture.close()
    # The whole frames (the GANterpretation beside the clip's picture, held after 1 s) are what is hashed.
    assert result.frames_sha256 == hashlib.sha256(whole.tobytes()).hexdigest()
    assert len(clip_colours(tmp_path / "v.mp4")) == plan.n_frames == 20


def test_a_picture_too_costly_to_decode_gives_the_ganterpretation_alone(tmp_path: Path) -> None:
    from pipeline.render import RenderOptions, prepare

    # 16×16 frames of noise at 5000 a second: few bytes, but each frame costs as much as a large one.
    clip = tmp_path / "fast.mp4"
    sound = write_wav(tmp_path / "s.wav", music_like(1.5))
    noise = "nullsrc=size=16x16:rate=5000:duration=1.5,geq=lum='random(1)*255':cb=128:cr=128"
    run_ffmpeg("-f", "lavfi", "-i", noise, "-i", str(sound),
               "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(clip))  # fmt: skip
    prepared = prepare(clip, RenderOptions(seed=1, fps=FPS, size=64, layout=Layout.SIDE))
    assert prepared.layout is Layout.GAN and prepared.picture is None
    assert any("costs too much to decode" in note for note in prepared.notes), prepared.notes


def test_the_picture_budget_counts_pixels_frames_and_a_cost_per_frame() -> None:
    assert picture_budget_note(Picture(1920, 1080, 60.0)) is None  # a phone's 1080p at 60 fps
    assert picture_budget_note(Picture(1280, 720, None)) is None
    assert picture_budget_note(Picture(3840, 2160, 60.0)) is not None  # 4K at 60 fps: 4× the budget
    assert picture_budget_note(Picture(16, 16, 100_000.0)) is not None  # tiny frames, a huge rate
    assert picture_budget_note(Picture(16, 16, PICTURE_BUDGET_PER_S / (32 * 1024) / 2)) is None
    # ffmpeg writes 100,000 fps as "100k fps": read as thousands, not as 100.
    line = "  Stream #0:0: Video: h264 (High), yuv420p, 16x16 [SAR 1:1 DAR 1:1], 8149 kb/s, 100k fps, 100k tbr\n"
    assert parse_picture(line) == Picture(16, 16, 100_000.0)


def test_a_render_never_waits_for_a_picture_longer_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    import pipeline.media.picture as P
    from pipeline.media.layout import geometry

    frame = geometry(Layout.SIDE, 64, Picture(160, 90, 25.0))
    # A decoder that never gives a frame (a header that lied about what decoding costs).
    monkeypatch.setattr(P, "decoder_command", lambda *_: [sys.executable, "-c", "import time; time.sleep(600)"])
    monkeypatch.setattr(P, "MAX_PICTURE_WAIT_S", 1.0)
    frames = P.ClipFrames(tmp_path / "any.mp4", frame, FPS, 0.0, 2.0)
    try:
        got = frames.read(20)
        assert frames._process.poll() is not None, "the decoder is stopped"
    finally:
        frames.close()
    assert got.shape == (20, 64, 114, 3) and not got.any(), "every frame comes back: black, as none was decoded"
