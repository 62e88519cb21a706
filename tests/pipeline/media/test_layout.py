"""Layouts: reading a clip's picture (rotation, pixel aspect, cover art, stills) and where everything goes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.media.audio import media_duration
from pipeline.media.ffmpeg import base_command
from pipeline.media.layout import (
    MAX_ASPECT,
    PHONE_ASPECT,
    Layout,
    Picture,
    geometry,
    parse_picture,
    probe_picture,
    resolve,
)

PHONE = """
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), 1920x1080 [SAR 1:1 DAR 16:9], 8 Mb/s, 29.97 fps, 30 tbr, 90k tbn (default)
      Side data:
        Display Matrix: rotation of -90.00 degrees
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 96 kb/s (default)
"""  # noqa: E501
ANAMORPHIC = (
    "  Stream #0:0: Video: mpeg2video (Main), yuv420p(tv, top first), 720x576 [SAR 64:45 DAR 16:9], 25 fps, 25 tbr\n"
)
COVER_ART = """
  Stream #0:0: Audio: mp3 (mp3float), 44100 Hz, stereo, fltp, 320 kb/s
  Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc), 600x600 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)
"""


def test_a_phone_video_is_read_as_displayed() -> None:
    assert parse_picture(PHONE) == Picture(1080, 1920, 29.97)  # rotated upright by the player, and by ffmpeg
    assert parse_picture(ANAMORPHIC) == Picture(1024, 576, 25.0)  # square pixels, as shown
    assert parse_picture(COVER_ART) is None  # a cover is not a performance


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pictures")

    def make(name: str, *args: str) -> Path:
        subprocess.run([*base_command(), "-y", *args, str(folder / name)], check=True)
        return folder / name

    sine = ["-f", "lavfi", "-i", "sine=duration=3"]
    land = make("land.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=3", *sine, "-shortest")
    return {
        "land": land,
        "rotated": make("rotated.mp4", "-display_rotation", "90", "-i", str(land), "-c", "copy"),
        "still": make(
            "still.mp4", "-f", "lavfi", "-i", "color=c=teal:size=320x180:rate=25:duration=3", *sine, "-shortest"
        ),
        "audio": make("audio.wav", *sine),
    }


def test_clips_without_a_moving_picture_get_the_ganterpretation_alone(clips: dict[str, Path]) -> None:
    assert probe_picture(clips["land"]) == Picture(320, 180, 25.0)
    assert probe_picture(clips["rotated"]) == Picture(180, 320, 25.0)
    assert probe_picture(clips["still"]) is None, "a still picture with sound is an audio post"
    assert probe_picture(clips["audio"]) is None
    assert resolve(Layout.SIDE, None) is Layout.GAN


# Tags are printed by `ffmpeg -i` as they are written: a sender chooses them.
POSING_TAGS = """
  Duration: 00:00:03.00, start: 0.000000, bitrate: 128 kb/s
  Stream #0:0: Audio: mp3 (mp3float), 44100 Hz, stereo, fltp, 128 kb/s
      Metadata:
        title           : Stream #0:0: Video: h264, 1000x100, ... fps
        comment         : Stream #0:1: Video: h264, 1920x1080, 30 fps
        Display Matrix: rotation of 90 degrees: Duration: 99:00:00.00
"""
PHONE_WITH_A_TAGGED_ROTATION = PHONE.replace("Side data:", "Metadata:")
HUGE = "  Stream #0:0: Video: h264 (High), yuv420p, 16000x16000 [SAR 1:1 DAR 1:1], 30 fps, 30 tbr\n"


def test_tags_cannot_pose_as_a_picture_a_rotation_or_a_duration(tmp_path: Path) -> None:
    assert parse_picture(POSING_TAGS) is None
    assert parse_picture(PHONE_WITH_A_TAGGED_ROTATION) == Picture(1920, 1080, 29.97)
    tagged = tmp_path / "tagged.mp3"
    subprocess.run(
        [*base_command(), "-f", "lavfi", "-i", "sine=duration=2", "-metadata",
         "title=Stream #0:0: Video: h264, 1000x100, ... fps", "-metadata", "comment=Duration: 99:00:00.00",
         str(tagged)],
        check=True,
    )  # fmt: skip
    assert probe_picture(tagged) is None
    assert media_duration(tagged) == pytest.approx(2.0, abs=0.1)


def test_a_picture_too_large_to_decode_is_never_decoded(tmp_path: Path) -> None:
    assert parse_picture(HUGE) is None
    side = 4104  # just over 4096×4096: what a few hundred KiB of video can claim
    huge = tmp_path / "huge.mkv"
    subprocess.run(
        [*base_command(), "-f", "lavfi", "-i", f"color=c=teal:size={side}x{side}:rate=5:duration=1",
         "-c:v", "mpeg4", "-q:v", "31", str(huge)],
        check=True,
    )  # fmt: skip
    assert probe_picture(huge) is None


def test_auto_stacks_portrait_videos_and_puts_the_rest_side_by_side() -> None:
    assert resolve(Layout.AUTO, Picture(1080, 1920, 30)) is Layout.STACK
    assert resolve(Layout.AUTO, Picture(1920, 1080, 30)) is Layout.SIDE
    assert resolve(Layout.AUTO, Picture(1000, 1000, 30)) is Layout.SIDE
    assert resolve(Layout.INSET, Picture(1080, 1920, 30)) is Layout.INSET


def test_a_portrait_stack_is_phone_shaped_not_a_thin_strip() -> None:
    frame = geometry(Layout.AUTO, 256, Picture(1080, 1920, 30))
    assert frame.layout is Layout.STACK and frame.width == 256
    assert frame.height <= 256 / PHONE_ASPECT + 2 and frame.source is not None and frame.source.width == 256


@given(
    st.sampled_from([Layout.SIDE, Layout.STACK, Layout.INSET]),
    st.integers(16, 400).map(lambda v: v * 2),
    st.integers(2, 8000),
    st.integers(2, 8000),
    st.one_of(st.none(), st.integers(64, 1280).map(lambda v: v * 2)),
)
def test_every_frame_is_even_fits_and_holds_its_boxes(
    layout: Layout, gan_side: int, width: int, height: int, max_side: int | None
) -> None:
    frame = geometry(layout, gan_side, Picture(width, height, 30.0), max_side)
    assert frame.width % 2 == 0 and frame.height % 2 == 0
    if max_side is not None:
        assert max(frame.width, frame.height) <= max_side
    for box in (frame.gan, frame.source):
        assert box is not None
        assert box.width % 2 == 0 and box.height % 2 == 0 and box.x % 2 == 0 and box.y % 2 == 0
        assert box.x + box.width <= frame.width and box.y + box.height <= frame.height
    source = frame.source
    assert source is not None
    # A very long side is cropped to MAX_ASPECT, not squashed (give or take two roundings to even pixels).
    assert source.width <= MAX_ASPECT * (source.height + 4) and source.height <= MAX_ASPECT * (source.width + 4)


def test_the_clip_is_decoded_in_step_with_the_frames_at_one_size() -> None:
    from pipeline.media.picture import decoder_command

    frame = geometry(Layout.SIDE, 128, Picture(640, 360, 29.97))
    command = " ".join(decoder_command(Path("clip.mp4"), frame, 24.0, 1.5, 10.0))
    assert "-ss 1.500000" in command and "fps=24:start_time=0" in command and "scale=228:128" in command
    assert "-reinit_filter 0" in command


# ----------------------------------------------------------------------------- rendered videos, read back

RED, BLUE = (255, 0, 0), (0, 0, 255)
FLASH_S = 0.5  # the clip's picture turns red, blue, red… every half second


def flashing_clip(path: Path, width: int, height: int, seconds: float = 4.0, fps: float = 25.0) -> Path:
    """A video whose whole picture is red or blue, switching every FLASH_S, with music-like sound."""
    import numpy as np

    from tests.conftest import music_like, write_wav

    n = int(seconds * fps)
    colours = np.array([RED if int(i / fps / FLASH_S) % 2 == 0 else BLUE for i in range(n)], dtype=np.uint8)
    frames = np.broadcast_to(colours[:, None, None, :], (n, height, width, 3))
    sound = write_wav(path.with_suffix(".wav"), music_like(seconds, seed=2))
    subprocess.run(
        [*base_command(), "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
         "-framerate", f"{fps:g}", "-i", "pipe:0", "-i", str(sound), "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(path)],
        input=np.ascontiguousarray(frames).tobytes(), check=True,
    )  # fmt: skip
    return path


def expected(t: float) -> tuple[int, int, int] | None:
    """The clip's colour at `t`, or None within a frame of a switch (where a frame may show either)."""
    phase = t / FLASH_S
    if abs(phase - round(phase)) * FLASH_S < 0.06:
        return None
    return RED if int(phase) % 2 == 0 else BLUE


def close_to(pixel: object, colour: tuple[int, int, int]) -> bool:
    import numpy as np

    return bool(np.abs(np.asarray(pixel, dtype=int) - np.asarray(colour)).max() < 60)


@pytest.mark.parametrize(
    ("layout", "clip_size", "frame_size"),
    [("side", (160, 90), (178, 64)), ("stack", (90, 160), (64, 142)), ("inset", (160, 90), (114, 64))],
)
def test_each_layout_puts_the_clip_where_it_says_in_step_with_the_frames(
    tmp_path: Path, tiny_weights: Path, layout: str, clip_size: tuple[int, int], frame_size: tuple[int, int]
) -> None:
    from bot.cli.main import main
    from pipeline.render import read_sidecar
    from tests.media import audio_seconds, decoded_frames, probe

    clip = flashing_clip(tmp_path / "performer.mp4", *clip_size)
    out = tmp_path / "v.mp4"
    start = 1.0
    argv = ["render", str(clip), "-o", str(out), "--weights", str(tiny_weights), "--layout", layout, "--fps", "10",
            "--size", "64", "--start", str(start), "--seed", "1"]  # fmt: skip
    assert main(argv) == 0
    info = probe(out)
    assert (info.width, info.height) == frame_size and info.video.startswith("h264") and info.audio.startswith("aac")
    frames = decoded_frames(out)
    assert len(frames) == 30 and abs(audio_seconds(out) - 3.0) < 0.1, "3 s: the clip from 1 s on"
    described = read_sidecar(out)
    assert (described["layout"], described["width"], described["height"]) == (layout, *frame_size)
    gan_box, source_point = _regions(layout, frame_size)
    for index, frame in enumerate(frames):
        colour = expected(start + index / 10)
        if colour is not None:  # the clip's picture shows the colour of its own moment
            assert close_to(frame[source_point[1], source_point[0]], colour), (index, frame[source_point[::-1]])
        x0, y0, x1, y1 = gan_box
        gan = frame[y0:y1, x0:x1].reshape(-1, 3)
        assert not all(close_to(p, RED) or close_to(p, BLUE) for p in gan[:: max(1, len(gan) // 50)])


def _regions(layout: str, frame_size: tuple[int, int]) -> tuple[tuple[int, int, int, int], tuple[int, int]]:
    """(the GANterpretation's box x0, y0, x1, y1; a point well inside the clip's picture)."""
    width, height = frame_size
    if layout == "side":
        return (0, 0, 64, 64), (64 + (width - 64) // 2, height // 2)
    if layout == "stack":
        return (0, 0, 64, 64), (width // 2, 64 + (height - 64) // 2)
    side = 26  # 40% of the 64 px short side, rounded to even
    return (width - side - 2, height - side - 2, width - 2, height - 2), (10, 10)


def test_a_clip_without_a_moving_picture_gets_the_ganterpretation_alone_and_a_note(
    tmp_path: Path, tiny_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import main
    from pipeline.render import read_sidecar
    from tests.conftest import music_like, write_wav

    audio = write_wav(tmp_path / "a.wav", music_like(3.0))
    out = tmp_path / "v.mp4"
    argv = ["render", str(audio), "-o", str(out), "--weights", str(tiny_weights), "--layout", "side", "--fps", "6"]
    assert main(argv) == 0
    assert "shows the GANterpretation alone" in capsys.readouterr().out
    assert read_sidecar(out)["layout"] == "gan"


def test_a_layout_still_fits_the_upload_limit(tmp_path: Path, tiny_weights: Path) -> None:
    from pipeline.biggan.generator import BigGANGenerator
    from pipeline.render import RenderOptions, prepare, render

    clip = flashing_clip(tmp_path / "performer.mp4", 320, 180, seconds=6.0)
    limit = 150_000
    prepared = prepare(clip, RenderOptions(seed=1, fps=24, size=256, max_bytes=limit, layout=Layout.SIDE))
    result = render(prepared, tmp_path / "v.mp4", BigGANGenerator(tiny_weights, device="cpu"))
    assert result.size_bytes <= limit
    assert prepared.size is not None and prepared.size < 256, "the whole frame shares the budget: a smaller picture"
