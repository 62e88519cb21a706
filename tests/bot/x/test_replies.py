"""What the X front end says: refusals without paths, and the text under a video within a post's length."""

from __future__ import annotations

from pathlib import Path

from bot.x.replies import ClipTooLarge, refusal_text, reply_text
from tests.conftest import ClipMaker


def test_refusals_never_show_a_local_path() -> None:
    from pipeline.errors import NoAudioStream, NotMedia

    assert refusal_text(NoAudioStream("/tmp/ganterp-x-1/clip.wav")) == "Sorry, that clip has no sound."
    assert "/tmp" not in refusal_text(NotMedia("/tmp/x/clip.wav"))
    assert refusal_text(ClipTooLarge(64 * 2**20)).startswith("Sorry, that clip is larger")
    assert refusal_text(RuntimeError("/secret/path")) == "Sorry, something went wrong with that clip."


def test_reply_text_fits_and_falls_back_to_the_job_classes(tmp_path: Path, make_clip: ClipMaker) -> None:
    from storage.models import Job

    job = Job(classes=[107, 978] * 40, seed=3, output_path=None, source_ref="mention:1 u")
    text = reply_text(job)
    assert text.startswith("Your GANterpretation: jellyfish → seashore") and text.endswith(" · seed 3")
    assert len(text) <= 270
