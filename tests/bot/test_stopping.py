"""Stopping and starting real processes: SIGTERM mid-render, closed pipes, and imports that must not race."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.jobs import JobRequest
from tests.conftest import ClipMaker, wait_until
from tests.paths import ROOT
from tests.storage.test_jobs import open_store, request, worker_env

X_CREDENTIALS = (
    "GANTERP_X_CONSUMER_KEY",
    "GANTERP_X_CONSUMER_SECRET",
    "GANTERP_X_ACCESS_TOKEN",
    "GANTERP_X_ACCESS_TOKEN_SECRET",
    "GANTERP_X_BEARER_TOKEN",
)
STOP_BOUND_S = 20.0  # a render stops within a batch; the rest is Python shutting down on a busy machine


def _stopped(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> tuple[int, str]:
    process.send_signal(signum)
    try:
        _, stderr = process.communicate(timeout=STOP_BOUND_S)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"the process did not stop within {STOP_BOUND_S} s") from None
    return process.returncode, stderr.decode()


class _Lines(list[str]):
    """A process's stderr lines as they come, read by a thread (so a test can wait for one)."""

    reader: threading.Thread


def _lines_of(process: subprocess.Popen[bytes]) -> _Lines:
    lines = _Lines()
    assert process.stderr is not None
    stream = process.stderr
    lines.reader = threading.Thread(target=lambda: lines.extend(b.decode() for b in stream), daemon=True)
    lines.reader.start()
    return lines


def test_sigterm_during_render_leaves_nothing_behind(make_clip: ClipMaker, tiny_weights: Path, tmp_path: Path) -> None:
    clip = make_clip(12.0)
    out = tmp_path / "out" / "video.mp4"
    out.parent.mkdir()
    command = [sys.executable, "-m", "bot.cli", "render", str(clip), "-o", str(out), "--weights", str(tiny_weights),
               "--batch-size", "1", "--fps", "60"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=worker_env(tmp_path / "data", tiny_weights),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert wait_until(lambda: any(out.parent.glob(".*partial")), timeout=60), "the render started writing"
    code, stderr = _stopped(process)
    assert code == 143 and stderr.strip().endswith("ganterp: stopped; nothing was written.")
    assert list(out.parent.iterdir()) == [], "no video, sidecar or partial file"


def test_sigterm_stops_the_worker_and_puts_its_job_back(
    make_clip: ClipMaker, tiny_weights: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    store = open_store(data)
    job = store.submit(request(make_clip(12.0), fps=60)).id
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "worker", "--batch-size", "1"], cwd=ROOT,
                               env=worker_env(data, tiny_weights), stderr=subprocess.PIPE)  # fmt: skip
    assert wait_until(lambda: store.get(job).progress > 0.05, timeout=60)
    code, stderr = _stopped(process)
    assert code == 0, stderr
    back = store.get(job)
    assert back.status == "queued" and back.attempts == 0 and back.worker_id is None
    assert not list(store.output_dir.glob("*.mp4")) and not list(store.output_dir.glob(".*")), "no partial video"
    for line in (f"job {job} claimed", f"job {job} released back to the queue", "stopped"):
        assert line in stderr
    assert "Traceback" not in stderr and "terminate called" not in stderr


def test_sigterm_stops_the_bot_cleanly_and_an_unreachable_x_is_said_once(
    make_clip: ClipMaker, tiny_weights: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    store = open_store(data)
    clip = make_clip(60.0)  # long enough to be mid-render when X has answered
    job = store.submit(JobRequest(platform="cli", requester_id="ann", source_kind="file", source_ref="a.wav",
                                  audio_file=clip, seed=1, options={"fps": 60}, n_frames=3600)).id  # fmt: skip
    env = {
        **worker_env(data, tiny_weights),
        "GANTERP_BATCH_SIZE": "1",
        # Words by WordNet alone: X's start would otherwise first compute the words model's vectors.
        "GANTERP_WORDS_MODEL": "off",
        # X's address through a proxy on a closed port: X is unreachable at once, offline.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        **dict.fromkeys(X_CREDENTIALS, "x-secret-value"),
    }
    env.pop("DISCORD_TOKEN", None)
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "bot"], cwd=ROOT, env=env, stderr=subprocess.PIPE)
    said = _lines_of(process)
    # Stop only once the render runs and X's first poll has failed: either can come first on a loaded machine.
    assert wait_until(lambda: store.get(job).progress > 0.05, timeout=120)
    assert wait_until(lambda: any("X cannot be reached" in line for line in said), timeout=120), said
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=STOP_BOUND_S)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"the process did not stop within {STOP_BOUND_S} s") from None
    said.reader.join(timeout=30)
    stderr = "".join(said)
    assert code == 0, stderr
    assert store.get(job).status == "queued" and store.get(job).attempts == 0
    assert stderr.count("X cannot be reached") == 1
    assert "Traceback" not in stderr and "terminate called" not in stderr and "x-secret-value" not in stderr


def test_no_thread_starts_while_torch_is_half_imported(
    make_clip: ClipMaker, tiny_weights: Path, tmp_path: Path
) -> None:
    """SciPy reads sys.modules["torch"] when it meets an array: torch must be whole before any thread runs."""
    script = textwrap.dedent(
        """
        import sys, threading
        start = threading.Thread.start
        def checked_start(self):
            torch = sys.modules.get("torch")
            if torch is not None and not hasattr(torch, "Tensor"):
                raise SystemExit("a thread started while torch was half imported")
            if torch is None and self.name == "ganterp-load":
                raise SystemExit("the loader thread started before torch was imported")
            return start(self)
        threading.Thread.start = checked_start
        from bot.cli.main import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    out = tmp_path / "v.mp4"
    done = subprocess.run(
        [sys.executable, "-c", script, "render", str(make_clip(2.0)), "-o", str(out), "--weights", str(tiny_weights),
         "--fps", "4"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=worker_env(tmp_path / "data", tiny_weights),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.is_file()


@pytest.mark.parametrize("argv", [["classes", "--list"], ["jobs", "--json"], ["classes", "dog, ocean"]])
def test_a_closed_pipe_is_a_quiet_exit(argv: list[str], tmp_path: Path) -> None:
    """`ganterp classes --list | head -1`: the reader left; no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write: the pipe is broken for sure
    env = {**os.environ, "GANTERP_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot.cli", *argv], cwd=ROOT, stdout=write_end,
                          stderr=subprocess.PIPE, env=env, timeout=60)  # fmt: skip
    os.close(write_end)
    assert done.returncode == 0 and done.stderr == b""


def test_defaults_of_long_running_commands_log_state_changes() -> None:
    from bot.logs import LONG_RUNNING_LEVEL

    assert LONG_RUNNING_LEVEL == "INFO" and Settings.load(environ={}, env_file=None).log_level is None


def test_a_refused_input_exits_1_every_time_while_the_model_loads(
    make_clip: ClipMaker, tiny_weights: Path, tmp_path: Path
) -> None:
    """A refusal printed while BigGAN loads in a thread: the process waits for the loader, then exits 1.

    It exited 134 (SIGABRT, "terminate called without an active exception") in 9 of 10 runs: the
    interpreter ended while torch ran C++ threads for the loading thread it had left behind.
    """
    import numpy as np

    from tests.conftest import write_wav

    notes = tmp_path / "notes.txt"
    notes.write_text("not a clip\n")
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    truncated = tmp_path / "cut.mp3"
    truncated.write_bytes(make_clip(2.0, name="whole.mp3").read_bytes()[:300])
    one_hz = write_wav(tmp_path / "one-hz.wav", np.zeros(4, dtype=np.float32), rate=1)
    runs = [
        ("render", notes, "v.mp4"),
        ("preview", notes, "p.png"),
        ("render", empty, "v.mp4"),
        ("render", truncated, "v.mp4"),
        ("preview", one_hz, "p.png"),
        ("render", notes, "v.mp4"),
        ("render", one_hz, "v.mp4"),
        ("preview", truncated, "p.png"),
    ]
    env = worker_env(tmp_path / "data", tiny_weights)
    for batch in (runs[:4], runs[4:]):  # a few at a time: the machine is shared
        commands = [[sys.executable, "-m", "bot.cli", command, str(source), "-o", str(tmp_path / output),
                     "--weights", str(tiny_weights)] for command, source, output in batch]  # fmt: skip
        started = [
            subprocess.Popen(c, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in commands
        ]
        for process, (command, source, _) in zip(started, batch, strict=True):
            _, stderr = process.communicate(timeout=180)
            said = stderr.decode().strip()
            assert process.returncode == 1, f"{command} {source.name}: exit {process.returncode}: {said}"
            assert said.startswith("ganterp: ") and len(said.splitlines()) == 1, said
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob("*.png"))
