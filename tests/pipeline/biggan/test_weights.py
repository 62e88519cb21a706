"""Where weights come from: a given folder, the cache before any download, a mirror when the first address fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.biggan.generator import BigGANGenerator
from pipeline.biggan.weights import cached_folder, resolve_weights
from pipeline.errors import InvalidOption, WeightsUnavailable


def test_cache_is_used_before_any_download(tiny_weights: Path, tmp_path: Path) -> None:
    folder = cached_folder(tmp_path, "biggan-deep-256")
    shutil.copytree(tiny_weights, folder)
    found = resolve_weights(
        "biggan-deep-256", weights_dir=None, cache_dir=tmp_path, url_templates=("http://0.0.0.0:9/{file}",)
    )
    assert found == folder


def test_download_falls_back_to_the_mirror_and_loads(weights_server: str, tmp_path: Path) -> None:
    templates = (f"{weights_server}/legacy/{{model}}-{{file}}", f"{weights_server}/mirror/{{model}}/{{file}}")
    folder = resolve_weights("biggan-deep-128", weights_dir=None, cache_dir=tmp_path / "cache", url_templates=templates)
    assert folder == cached_folder(tmp_path / "cache", "biggan-deep-128")
    assert BigGANGenerator(folder).output_size == 32
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")], "no staging folder left behind"


def test_no_network_and_no_weights_says_where_to_put_them(tmp_path: Path) -> None:
    with pytest.raises(WeightsUnavailable) as caught:
        resolve_weights(
            "biggan-deep-512", weights_dir=None, cache_dir=tmp_path, url_templates=("http://127.0.0.1:9/{file}",)
        )
    message = caught.value.user_message()
    assert str(cached_folder(tmp_path, "biggan-deep-512")) in message
    assert "config.json and pytorch_model.bin" in message and "ganterp download-weights" in message
    assert not cached_folder(tmp_path, "biggan-deep-512").exists()
    with pytest.raises(WeightsUnavailable, match="downloads are turned off"):
        resolve_weights("biggan-deep-512", weights_dir=None, cache_dir=tmp_path, allow_download=False)
    with pytest.raises(InvalidOption, match="--model"):
        resolve_weights("biggan-deep-1024", weights_dir=None, cache_dir=tmp_path)
