"""CUDA graphs: each batch shape captured once and replayed, one launch per batch instead of hundreds."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import torch

from pipeline.biggan.loading import short_reason

log = logging.getLogger(__name__)

# Frames (b, size, size, 3) uint8 and whether every value was finite, for (z, y, truncation, size).
FramesFunction = Callable[[torch.Tensor, torch.Tensor, float, int], tuple[torch.Tensor, torch.Tensor]]
# A captured graph with its input buffers (z, y) and its outputs (frames, finite), replayed in place.
_Captured = tuple[Any, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


class CudaGraphs:
    """Each (batch, truncation, size) captured once as a CUDA graph and replayed: one launch per batch.

    A short last batch is padded to the generator's batch size. Capture failing (an old driver,
    an operation that cannot be captured) falls back to plain launches, said once in the log.
    """

    def __init__(self, frames: FramesFunction) -> None:
        self._frames = frames
        self._captured: dict[tuple[int, float, int], _Captured] = {}
        self.failed = False

    def run(
        self, z: torch.Tensor, y: torch.Tensor, truncation: float, size: int, batch: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Frames for z, y through the graph captured for `batch` frames (captured on first use)."""
        n = z.shape[0]
        if self.failed:
            return self._frames(z, y, truncation, size)
        key = (max(n, batch), truncation, size)
        if key not in self._captured:
            try:
                # One graph at a time: a render keeps one batch size, truncation and size.
                self._captured = {key: self._capture(key[0], z, y, truncation, size)}
            except RuntimeError as exc:
                log.warning("CUDA graphs are off: capture failed (%s)", short_reason(exc))
                self.failed = True
                return self._frames(z, y, truncation, size)
        graph, z_in, y_in, frames, finite = self._captured[key]
        z_in[:n].copy_(z)
        y_in[:n].copy_(y)
        if n < key[0]:
            z_in[n:].zero_()
            y_in[n:].zero_()
        graph.replay()
        return frames[:n], finite

    def _capture(self, batch: int, z: torch.Tensor, y: torch.Tensor, truncation: float, size: int) -> _Captured:
        z_in = torch.zeros((batch, *z.shape[1:]), dtype=z.dtype, device=z.device)
        y_in = torch.zeros((batch, *y.shape[1:]), dtype=y.dtype, device=y.device)
        side = torch.cuda.Stream(z.device)  # type: ignore[no-untyped-call]
        side.wait_stream(torch.cuda.current_stream(z.device))
        with torch.cuda.stream(side):  # warm-up outside the graph: kernels pick their algorithms
            for _ in range(2):
                self._frames(z_in, y_in, truncation, size)
        torch.cuda.current_stream(z.device).wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            frames, finite = self._frames(z_in, y_in, truncation, size)
        return graph, z_in, y_in, frames, finite
