"""--lyrics through the front ends: the CLI, the settings, the worker and the queue's wait estimate."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.jobs.worker import Worker, WorkerConfig
from bot.settings import Settings, SettingsError
from pipeline.biggan.generator import BigGANGenerator
from pipeline.render import RenderOptions, read_sidecar
from pipeline.words.heard import WhisperListener
from storage.db import make_engine, migrate, sqlite_url
from storage.jobs import LISTEN_OVERHEAD_S, LISTEN_S_PER_AUDIO_S, JobRequest, JobStore, QueueLimits, estimator
from storage.models import Job
from storage.workers import fleet_speed
from tests.paths import DATA

FIXTURE = DATA / "lyrics" / "three_things.ogg"
KNOWN = {"banana": 954, "volcano": 980, "umbrella": 879}


def _store(data_dir: Path) -> JobStore:
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(sqlite_url(data_dir))
    migrate(engine)
    return JobStore(engine, data_dir, QueueLimits(per_requester=10))


def _request(audio: Path, **options: object) -> JobRequest:
    return JobRequest(
        platform="cli",
        requester_id="alice",
        source_kind="file",
        source_ref=audio.name,
        audio_file=audio,
        seed=2,
        n_frames=48,
        options=RenderOptions(**({"fps": 4.0} | options)).as_dict(),  # type: ignore[arg-type]
    )


def test_analyze_with_lyrics_shows_the_words_heard(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GANTERP_CACHE_DIR", str(tmp_path))
    assert main(["analyze", str(FIXTURE), "--lyrics", "--segment-seconds", "4", "--seed", "3", "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    assert described["options"]["lyrics"] is True
    assert {w["word"].strip(".,").lower() for w in described["lyrics"]["words"]} >= set(KNOWN)
    heard = [s for s in described["segments"] if s["heard_word"]]
    assert heard and all(s["class_id"] == KNOWN[s["heard_word"]] for s in heard)
    assert main(["analyze", str(FIXTURE), "--lyrics", "--segment-seconds", "4", "--seed", "3"]) == 0
    assert 'heard "volcano"' in capsys.readouterr().out


def test_analyze_without_lyrics_hears_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(FIXTURE), "--segment-seconds", "4", "--seed", "3", "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    assert "lyrics" not in described and not any(s["heard_word"] for s in described["segments"])


def test_a_missing_named_model_is_one_sentence(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GANTERP_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("GANTERP_LYRICS_MODEL", "small.en")
    monkeypatch.setenv("GANTERP_ALLOW_DOWNLOAD", "false")
    assert main(["analyze", str(FIXTURE), "--lyrics"]) == 1
    err = capsys.readouterr().err
    assert "speech model 'small.en'" in err and "Traceback" not in err


def test_the_lyrics_model_setting_is_checked() -> None:
    assert Settings.load({}, env_file=None).lyrics_model == "bundled"
    assert Settings.load({"GANTERP_LYRICS_MODEL": "base.en"}, env_file=None).lyrics_model == "base.en"
    with pytest.raises(SettingsError, match="GANTERP_LYRICS_MODEL"):
        Settings.load({"GANTERP_LYRICS_MODEL": "enormous"}, env_file=None)


def test_the_worker_hears_a_lyrics_job_and_logs_the_time(
    tmp_path: Path, tiny_weights: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = _store(tmp_path / "data")
    job = store.submit(_request(FIXTURE, lyrics=True, segment_seconds=4.0))
    config = WorkerConfig(progress_every_s=0.0, listener=WhisperListener())
    with caplog.at_level(logging.INFO, logger="bot.jobs"):
        assert Worker(store, lambda: BigGANGenerator(tiny_weights), config).run_once()
    done = store.get(job.id)
    assert done.status == "delivered"
    segments = read_sidecar(Path(done.output_path or ""))["segments"]
    assert any(s["heard_word"] in KNOWN and s["class_id"] == KNOWN[s["heard_word"]] for s in segments)
    assert any(f"job {job.id} heard" in r.getMessage() for r in caplog.records)


def test_the_wait_includes_hearing_the_words(tmp_path: Path) -> None:
    store = _store(tmp_path / "data")
    plain = store.submit(_request(FIXTURE))
    heard = store.submit(_request(FIXTURE, lyrics=True))
    # 48 frames at 4 fps: 12 s of audio to hear, on top of the same frames.
    extra = _estimate(store, heard) - _estimate(store, plain)
    assert extra == pytest.approx(LISTEN_OVERHEAD_S + 12.0 * LISTEN_S_PER_AUDIO_S)
    first, second = store.place(plain.id), store.place(heard.id)
    assert first is not None and second is not None
    assert second.wait_s - first.wait_s == pytest.approx(_estimate(store, heard))


def _estimate(store: JobStore, job: Job) -> float:
    """How long `job` should take on the store's live workers (the estimate its queue place adds up)."""
    return estimator(fleet_speed(store.workers.alive(store.alive_within_s)))(job)
