"""Layouts: reading a clip's picture (rotation, pixel aspect, cover art, stills) and where everything goes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.ffmpeg import base_command
from pipeline.layout import (
    MAX_ASPECT,
    PHONE_ASPECT,
    Layout,
    Picture,
    filter_graph,
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


def test_the_filter_graph_keeps_the_clip_in_step_with_the_frames() -> None:
    frame = geometry(Layout.SIDE, 128, Picture(640, 360, 29.97))
    graph = filter_graph(frame, 24.0, 1.5, 10.0)
    assert "trim=start=1.500000:duration=10.000000" in graph and "fps=24" in graph and "hstack" in graph
