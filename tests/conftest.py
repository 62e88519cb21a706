"""Shared fixtures: tiny BigGAN weights saved in the real format, and clips made with ffmpeg."""

from __future__ import annotations

import functools
import http.server
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

# torch gives its loggers handlers on the stderr of the moment it is first imported; imported here, that is
# the session's own, never a test's captured stream that closes when the test ends.
import torch  # noqa: F401
from scipy.io import wavfile

from pipeline.media.ffmpeg import base_command

ClipMaker = Callable[..., Path]

# transformers and huggingface_hub give their loggers handlers on the stderr of the moment a model first
# loads through sentence-transformers (a named words model; the bundled one runs in numpy without them):
# one loaded here once, at collection, like torch above.
from pipeline.words.model import model_source  # noqa: E402

_bundled_words_model = model_source()
if _bundled_words_model is not None and _bundled_words_model.folder is not None:
    from sentence_transformers import SentenceTransformer

    SentenceTransformer(str(_bundled_words_model.folder), device="cpu", local_files_only=True)

# redis-py gives this logger a handler on the stderr of the moment the process makes its first PubSub,
# unless the logger exists already: made here, it logs through the root logger like any other.
logging.getLogger("push_response")


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 32×32 BigGAN-deep-shaped model with seeded random weights: config.json + pytorch_model.bin."""
    from pipeline.biggan.testing import write_tiny_weights

    return write_tiny_weights(tmp_path_factory.mktemp("tiny-biggan"))


@pytest.fixture(scope="session")
def calibrated_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with weights that behave like trained ones (pictures with mid-tones), for precision tests."""
    from pipeline.biggan.testing import write_tiny_weights

    return write_tiny_weights(tmp_path_factory.mktemp("tiny-calibrated"), seed=3, calibrated=True)


def music_like(seconds: float, rate: int = 44_100, seed: int = 0, channels: int = 2, noise: bool = True) -> np.ndarray:
    """A test signal with clear changes: tones that switch, noise bursts, a quiet gap."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    section = (t // 1.3).astype(int)  # a new "bar" every 1.3 s
    freqs = 110 * 2 ** (rng.integers(0, 24, size=section.max() + 1) / 12)
    tone = 0.4 * np.sin(2 * np.pi * freqs[section] * t)
    bursts = (section % 3 == 2) * rng.normal(0, 0.2, size=t.shape) * noise
    envelope = np.where((t % 1.3) < 1.1, 1.0, 0.05)
    mono = (tone + bursts) * envelope
    layers = [mono, 0.5 * np.sin(2 * np.pi * 330 * t)][:channels]
    layers += [mono * 0.3] * (channels - len(layers))
    return np.stack(layers, axis=1).astype(np.float32)


def write_wav(path: Path, signal: np.ndarray, rate: int = 44_100, dtype: str = "int16") -> Path:
    """Write float samples in [-1, 1] as a WAV of the given sample type."""
    if dtype == "int16":
        data = np.clip(signal * 32767, -32768, 32767).astype(np.int16)
    elif dtype == "int32":
        data = np.clip(signal * 2**31, -(2**31), 2**31 - 1).astype(np.int32)
    elif dtype == "uint8":
        data = np.clip(signal * 127 + 128, 0, 255).astype(np.uint8)
    else:
        data = signal.astype(np.float32)
    wavfile.write(path, rate, data)
    return path


def transcode(source: Path, target: Path, *extra: str) -> Path:
    """Convert with the bundled ffmpeg (e.g. WAV → mp3, or muxing into a video file)."""
    subprocess.run([*base_command(), "-y", "-i", str(source), *extra, str(target)], check=True)
    return target


@pytest.fixture
def make_clip(tmp_path: Path) -> ClipMaker:
    """make_clip(seconds=4, name="clip.wav", rate=44100, channels=2, seed=0) → a music-like clip."""

    def make(
        seconds: float = 4.0, name: str = "clip.wav", rate: int = 44_100, channels: int = 2, seed: int = 0
    ) -> Path:
        wav = write_wav(tmp_path / f"src-{seed}-{rate}-{channels}.wav", music_like(seconds, rate, seed, channels), rate)
        if name.endswith(".wav"):
            return wav.rename(tmp_path / name)
        return transcode(wav, tmp_path / name)

    return make


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def weights_server(tiny_weights: Path, tmp_path: Path) -> Iterator[str]:
    """A local HTTP server with the tiny weights under /mirror/biggan-deep-128/<file>."""
    root = tmp_path / "served"
    shutil.copytree(tiny_weights, root / "mirror" / "biggan-deep-128")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def wait_until(condition: Callable[[], Any], timeout: float) -> bool:
    """Poll `condition` every 50 ms; whether it came true within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


class RedisServer:
    """A real redis-server on a free loopback port, in a folder of its own; restartable, with or without its data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, appendonly: bool = False) -> None:
        """Start it (again, on the same port) and wait until it answers."""
        binary = shutil.which("redis-server")
        assert binary, "redis-server is missing: apt-get install -y redis-server (.ci/run does)"
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                   "--save", "", "--appendonly", "yes" if appendonly else "no", "--protected-mode", "yes"]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_until(self._answers, timeout=10), "redis-server did not start"

    def kill(self) -> None:
        """Stop it at once (SIGKILL): without AOF, everything it held is gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server for this test alone, on a free loopback port; stopped afterwards."""
    if shutil.which("redis-server") is None and not os.environ.get("CI"):
        pytest.skip("redis-server is not installed (apt-get install -y redis-server); CI installs it")
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.kill()


def _writing_handlers() -> dict[str, tuple[logging.Handler, ...]]:
    """Every logger's handlers (the root's under "") that write somewhere: pytest's own and NullHandlers aside."""
    loggers = {"": logging.getLogger()} | {
        name: logger for name, logger in logging.root.manager.loggerDict.items() if isinstance(logger, logging.Logger)
    }
    found = {
        name: tuple(
            h
            for h in logger.handlers
            if not isinstance(h, logging.NullHandler) and not type(h).__module__.startswith("_pytest")
        )
        for name, logger in loggers.items()
    }
    return {name: handlers for name, handlers in found.items() if handlers}


@pytest.fixture(autouse=True)
def no_leaked_log_handlers() -> Iterator[None]:
    """Fail a test that leaves a logging handler behind, after putting every logger's handlers back as they were.

    A handler left on a logger writes to the stream it was given, often a test's captured stderr
    that is closed afterwards: a later test logging from any thread then prints "--- Logging
    error --- ValueError: I/O operation on closed file". Code configures logging once per process
    (bot.logs) and undoes it when called in-process (bot.cli.main.main, bot.logs.configured_logging).
    """
    before, root_level = _writing_handlers(), logging.getLogger().level
    yield
    after = _writing_handlers()
    leaked = {name: [h for h in handlers if h not in before.get(name, ())] for name, handlers in after.items()}
    leaked = {name: handlers for name, handlers in leaked.items() if handlers}
    for name, left in leaked.items():
        for handler in left:
            logging.getLogger(name).removeHandler(handler)
    for name, kept in before.items():
        for handler in kept:
            if handler not in logging.getLogger(name).handlers:
                logging.getLogger(name).addHandler(handler)
    logging.getLogger().setLevel(root_level)
    if leaked:
        where = "; ".join(f"{name or 'root'}: {left}" for name, left in leaked.items())
        pytest.fail(f"the test left logging handlers behind ({where}); remove them where they are added")


@pytest.fixture(scope="session", autouse=True)
def words_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled words model with its vectors cached once for the whole run, shared by xdist workers
    (the base temp folder's parent is common to them; vectors are written atomically)."""
    from pipeline.words import configure

    cache = tmp_path_factory.getbasetemp().parent / "words-cache"
    configure("bundled", cache)
    return cache
