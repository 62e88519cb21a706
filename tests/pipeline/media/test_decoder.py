"""Running a decoder: bounded in memory and in time, its failure told in the end of what it said."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline.errors import CorruptMedia
from pipeline.media import decoder


def test_decoding_memory_is_bounded_by_the_limit_whatever_the_input() -> None:
    with Path("/dev/zero").open("rb") as endless:  # a stream that never ends
        assert len(decoder.read_capped(endless, 3_000_000)) == 3_000_000


def test_a_decoder_past_its_deadline_is_stopped_with_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both decoding paths (ffmpeg's resampler and the many-channel mix) share this deadline."""
    monkeypatch.setattr(decoder, "DECODE_TIMEOUT_S", 0.5)
    stuck = [sys.executable, "-c", "import time; time.sleep(60)"]
    with pytest.raises(CorruptMedia, match=r"decoding took over 0\.5 s"):
        decoder.run_with_deadline(stuck, lambda stdout: stdout.read(), "clip.mp3")


def test_a_decoder_says_its_output_its_status_and_the_end_of_its_complaint() -> None:
    talker = [sys.executable, "-c", "import sys; sys.stdout.write('pcm'); sys.stderr.write('x' * 20000 + 'the end')"]
    assert decoder.run_with_deadline(talker, lambda stdout: stdout.read(), "clip.mp3") == (b"pcm", 0, "")
    failing = [*talker[:2], talker[2] + "; sys.exit(3)"]
    output, status, said = decoder.run_with_deadline(failing, lambda stdout: stdout.read(2), "clip.mp3")
    assert (output, status) == (b"pc", 3)
    assert said.endswith("the end") and len(said) < 20000, "only the end of a long complaint"
