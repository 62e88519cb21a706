"""Every finished video is read back before it is called done: picture, frame count and sound."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import OutputMismatch
from pipeline.media.encode import VideoSpec, VideoWriter
from pipeline.media.ffmpeg import base_command
from pipeline.media.verify import Promise, read_contents, verify_output
from tests.conftest import ClipMaker


def make(path: Path, *args: str) -> Path:
    subprocess.run([*base_command(), "-y", *args, str(path)], check=True)
    return path


def test_a_file_is_read_back_as_it_is(tmp_path: Path) -> None:
    video = make(tmp_path / "v.mp4", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=24:duration=2",
                 "-f", "lavfi", "-i", "sine=duration=2", "-c:v", "libx264", "-c:a", "aac")  # fmt: skip
    contents = read_contents(video)
    assert (contents.width, contents.height, contents.frames) == (96, 64, 48)
    assert contents.audio_s == pytest.approx(2.0, abs=0.05)
    verify_output(video, Promise(96, 64, 48, 2.0))


@pytest.mark.parametrize(
    ("promise", "says"),
    [
        (Promise(96, 64, 54, 2.0), "it has 48 frames, not 54"),  # a picture a few frames short
        (Promise(128, 64, 48, 2.0), "its picture is 96×64, not 128×64"),
        (Promise(96, 64, 48, 3.0), r"its sound is 2\.00 s long, not 3\.00 s"),
    ],
)
def test_a_file_that_breaks_its_promise_is_refused(tmp_path: Path, promise: Promise, says: str) -> None:
    video = make(tmp_path / "v.mp4", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=24:duration=2",
                 "-f", "lavfi", "-i", "sine=duration=2", "-c:v", "libx264", "-c:a", "aac")  # fmt: skip
    with pytest.raises(OutputMismatch, match=says) as raised:
        verify_output(video, promise)
    assert raised.value.machine_fault and raised.value.user_message().count(". ") == 0


def test_an_audio_only_mp4_is_not_a_video(tmp_path: Path) -> None:
    sound = make(tmp_path / "a.mp4", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac")
    with pytest.raises(OutputMismatch, match="it has no video stream"):
        verify_output(sound, Promise(96, 64, 48, 2.0))
    silent = make(tmp_path / "s.mp4", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=24:duration=2", "-c:v", "libx264")
    with pytest.raises(OutputMismatch, match="it has no sound"):
        verify_output(silent, Promise(96, 64, 48, 2.0))


def test_the_writer_never_puts_a_broken_promise_in_place(make_clip: ClipMaker, tmp_path: Path) -> None:
    clip = make_clip(1.0)  # one second of sound, where the spec promises three
    spec = VideoSpec(output_size=32, fps=8, audio_source=clip, audio_start_s=0, duration_s=3.0)
    out = tmp_path / "v.mp4"
    with pytest.raises(OutputMismatch, match=r"its sound is 1\.00 s long"), VideoWriter(out, spec) as writer:
        writer.write(np.zeros((24, 32, 32, 3), np.uint8))
        writer.finish()
    assert (not out.exists() and list(tmp_path.iterdir()) == [clip]) or not out.exists()
