"""The analysis done once per job: a clip submitted in this process is not decoded and analysed again."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import bot.jobs.render_job as render_job
from bot.jobs.worker import Worker, WorkerConfig
from bot.prepared import PreparedJobs
from bot.service import submit_file
from pipeline.biggan.generator import BigGANGenerator
from pipeline.render import RenderOptions, prepare
from tests.conftest import ClipMaker
from tests.storage.test_jobs import open_store


def test_the_embedded_worker_renders_what_the_submission_prepared(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "data")
    worker = Worker(store, lambda: BigGANGenerator(tiny_weights), WorkerConfig())  # before the submission, as in a bot
    incoming = make_clip(1.5)
    accepted = submit_file(store, incoming, RenderOptions(fps=4), platform="cli", requester_id="ann")
    incoming.unlink()  # the front end's download goes: the worker renders from the job log's copy
    again: list[Path] = []
    real = render_job.prepare

    def counted(source: Path, *args: Any, **kwargs: Any) -> Any:
        again.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(render_job, "prepare", counted)
    assert worker.run_once()
    done = store.get(accepted.job.id)
    assert done.status == "delivered" and again == [], "decoded and analysed once, at submit"
    assert done.n_frames == accepted.prepared.plan.n_frames


def test_a_prepared_render_is_taken_only_for_its_own_options_once(tmp_path: Path, make_clip: ClipMaker) -> None:
    clip = make_clip(1.5)
    options = RenderOptions(fps=4, seed=3)
    kept = PreparedJobs(max_jobs=2)
    kept.keep(clip, prepare(clip, options))
    assert kept.take(clip, options, None) is None, "no worker in this process takes it (a dispatcher): not kept"
    kept.expect_a_taker()
    kept.keep(clip, prepare(clip, options))
    assert kept.take(clip, RenderOptions(fps=8, seed=3), None) is None, "other options: prepared again"
    kept.keep(clip, prepare(clip, options))
    taken = kept.take(clip, options, None)
    assert taken is not None and taken.source == clip and taken.audio.source == clip
    assert kept.take(clip, options, None) is None, "taken once"
    lyrics = RenderOptions(fps=4, seed=3, lyrics=True)
    kept.keep(clip, prepare(clip, lyrics))
    assert kept.take(clip, lyrics, None) is None, "a --lyrics job is planned from the words the worker hears"
    others = [Path(shutil.copyfile(clip, tmp_path / f"stored-{i}")) for i in range(3)]
    for other in others:
        kept.keep(other, prepare(other, options))
    assert kept.take(others[0], options, None) is None and kept.take(others[2], options, None) is not None, "bounded"
