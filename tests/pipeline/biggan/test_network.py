"""The inference network's own arithmetic, checked where a CPU can run it."""

from __future__ import annotations

import torch

from pipeline.biggan.network import _attend_fused, _attend_in_chunks


def test_the_gpus_fused_attention_and_the_cpus_chunked_one_agree() -> None:
    """The GPU's path runs here too, so CI without a GPU still checks its arithmetic."""
    generator = torch.Generator().manual_seed(0)
    query, key = torch.randn(2, 32, 32, 32, generator=generator), torch.randn(2, 32, 16, 16, generator=generator)
    value = torch.randn(2, 128, 16, 16, generator=generator)
    torch.testing.assert_close(_attend_fused(query, key, value), _attend_in_chunks(query, key, value))
