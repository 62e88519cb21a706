"""The encoder's choices: codec and preset by where frames come from, frames hashed as they are piped."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

import pipeline.media.encode as E
from pipeline.errors import EncoderFailed
from pipeline.media.encode import VideoSpec, VideoWriter, video_encoder
from tests.conftest import ClipMaker
from tests.media import probe


def test_cpu_frames_get_medium_and_gpu_frames_a_faster_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    assert video_encoder("cpu", 512) == ("libx264", "medium")
    monkeypatch.setattr(E, "nvenc_works", lambda: False)
    assert video_encoder("cuda:0", 512) == ("libx264", "veryfast")
    monkeypatch.setattr(E, "nvenc_works", lambda: True)
    assert video_encoder("cuda:0", 512) == ("h264_nvenc", "p4")
    assert video_encoder("cuda", 128) == ("libx264", "veryfast"), "NVENC refuses small frames"


def test_nvenc_gets_its_own_quality_flags() -> None:
    spec = VideoSpec(
        output_size=512,
        fps=24,
        audio_source=Path("a.wav"),
        audio_start_s=0,
        duration_s=1,
        preset="p4",
        codec="h264_nvenc",
    )
    flags = E._video_codec(spec, None)
    assert flags[:2] == ["-c:v", "h264_nvenc"] and "-cq" in flags and "-crf" not in flags


def test_the_writer_hashes_what_it_pipes(make_clip: ClipMaker, tmp_path: Path) -> None:
    clip = make_clip(1.0)
    spec = VideoSpec(output_size=32, fps=8, audio_source=clip, audio_start_s=0, duration_s=1.0)
    frames = np.random.default_rng(0).integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    with VideoWriter(tmp_path / "v.mp4", spec) as writer:
        writer.write(frames[:5])
        writer.write(frames[5:])
        writer.finish()
    assert writer.frames_sha256 == hashlib.sha256(frames.tobytes()).hexdigest()
    assert probe(tmp_path / "v.mp4").width == 32


def test_a_file_encoded_again_to_fit_is_replaced_whole_or_left_as_it_was(make_clip: ClipMaker, tmp_path: Path) -> None:
    clip = make_clip(1.0)
    spec = VideoSpec(output_size=32, fps=8, audio_source=clip, audio_start_s=0, duration_s=1.0)
    video = tmp_path / "v.mp4"
    with VideoWriter(video, spec) as writer:
        writer.write(np.random.default_rng(1).integers(0, 256, (8, 32, 32, 3), dtype=np.uint8))
        writer.finish()
    E._reencode(video, E.Bitrates(video=20_000, audio=32_000), "ultrafast")
    assert probe(video).width == 32 and sorted(tmp_path.iterdir()) == sorted([clip, video]), "nothing left beside it"
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    with pytest.raises(EncoderFailed):
        E._reencode(broken, E.Bitrates(video=20_000, audio=32_000), "ultrafast")
    assert broken.read_bytes() == b"not a video"
    assert sorted(tmp_path.iterdir()) == sorted([clip, video, broken]), "no partial file left behind"
