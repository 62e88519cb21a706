"""Where BigGAN weights come from: a given folder, the local cache, or a download.

A weights folder is pytorch-pretrained-biggan's own format: config.json and
pytorch_model.bin side by side, whatever the model's size, so the tests' tiny
models and the real 128/256/512 ones load through the same code.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import InvalidOption, WeightsInvalid, WeightsUnavailable

log = logging.getLogger(__name__)

MODELS = ("biggan-deep-128", "biggan-deep-256", "biggan-deep-512")
# `auto`: BigGAN-deep-512 on a GPU with the memory for it, 128 on a CPU (pipeline.biggan.device.pick_model).
MODEL_CHOICES = ("auto", *MODELS)
# `auto`: bfloat16 on CPUs that compute it natively, float16 on CUDA, float32 elsewhere, each kept only
# where its pictures stay right (pipeline.biggan.device, pipeline.biggan.generator).
PRECISIONS = ("auto", "float32", "bfloat16", "float16")
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "pytorch_model.bin"
# {model} and {file} are filled in. First the library's legacy address, then a model-hub mirror.
DEFAULT_URL_TEMPLATES = (
    "https://s3.amazonaws.com/models.huggingface.co/biggan/{model}-{file}",
    "https://huggingface.co/huggingface/{model}/resolve/main/{file}",
)
DOWNLOAD_TIMEOUT_S = 60
_CHUNK = 1 << 20


# Beside config.json in a folder of random weights (see write_noise_weights): its pictures are noise.
NOISE_MARKER = "NOISE.txt"
NOISE_FOLDER = "noise-128"  # in the cache's weights folder


def is_noise_weights(folder: Path) -> bool:
    """Whether `folder` holds random weights made for trying ganterp, not a trained BigGAN."""
    return (folder / NOISE_MARKER).is_file()


def check_model_name(model: str) -> str:
    """Return `model` if it is a known BigGAN-deep name."""
    if model not in MODELS:
        raise InvalidOption("--model", model, f"one of {', '.join(MODELS)}")
    return model


def has_weights(folder: Path) -> bool:
    """Whether `folder` holds both files of a weights folder."""
    return (folder / CONFIG_FILE).is_file() and (folder / WEIGHTS_FILE).is_file()


def cached_folder(cache_dir: Path, model: str) -> Path:
    """The cache folder of one model."""
    return cache_dir / "weights" / model


def resolve_weights(
    model: str,
    *,
    weights_dir: Path | None,
    cache_dir: Path,
    allow_download: bool = True,
    url_templates: Sequence[str] = DEFAULT_URL_TEMPLATES,
) -> Path:
    """The folder to load: `weights_dir` if given, else the cache, else a fresh download into the cache."""
    if weights_dir is not None:
        if not has_weights(weights_dir):
            raise WeightsInvalid(str(weights_dir), f"it must contain {CONFIG_FILE} and {WEIGHTS_FILE}")
        return weights_dir
    check_model_name(model)
    folder = cached_folder(cache_dir, model)
    if has_weights(folder):
        return folder
    if not allow_download:
        raise WeightsUnavailable(model, str(folder), "downloads are turned off")
    return download_weights(model, folder, url_templates)


def download_weights(
    model: str,
    folder: Path,
    url_templates: Sequence[str] = DEFAULT_URL_TEMPLATES,
    on_bytes: Callable[[str, int, int | None], None] | None = None,
) -> Path:
    """Download config and weights into `folder`, trying each address in turn; all or nothing."""
    check_model_name(model)
    failures = []
    for template in url_templates:
        try:
            return _download_from(template, model, folder, on_bytes)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            host = _host_of(template)  # never the user name or token an operator put in the address
            failures.append(f"{host}: {getattr(exc, 'reason', exc)}")
            # INFO: a one-shot command's error already names every failure; services log it as they go.
            log.info("download of %s from %s failed: %s", model, host, getattr(exc, "reason", exc))
    raise WeightsUnavailable(model, str(folder), "download failed: " + "; ".join(failures))


def _host_of(template: str) -> str:
    try:
        return urlsplit(template).hostname or "an address without a host"
    except ValueError:
        return "an unparsable address"


def _download_from(
    template: str, model: str, folder: Path, on_bytes: Callable[[str, int, int | None], None] | None
) -> Path:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{model}-", dir=folder.parent))
    try:
        for name in (CONFIG_FILE, WEIGHTS_FILE):
            _fetch(template.format(model=model, file=name), staging / name, on_bytes)
        swap_in(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def swap_in(staging: Path, folder: Path) -> None:
    """Put a complete staging folder in the place of `folder`, so no reader ever sees a half-written one."""
    if folder.exists():
        shutil.rmtree(folder)
    staging.rename(folder)


def _fetch(url: str, target: Path, on_bytes: Callable[[str, int, int | None], None] | None) -> None:
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:  # noqa: S310 (fixed https templates or operator setting)
        expected = response.headers.get("Content-Length")
        total = int(expected) if expected and expected.isdigit() else None
        done = 0
        with target.open("wb") as out:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if on_bytes is not None:
                    on_bytes(target.name, done, total)
    if total is not None and done != total:
        raise ValueError(f"{target.name} ended after {done} of {total} bytes")
