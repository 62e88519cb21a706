"""Render progress: a tqdm bar on a terminal, a line per tenth for any other reader (docker logs, a journal)."""

from __future__ import annotations

from typing import TextIO

from pipeline.render import Progress

STEPS = 10  # one line per tenth of the frames


class ProgressLines:
    """Prints `render: 30% (90/300 frames), 12.5 frames/s, about 17 s left` each time a tenth is passed."""

    def __init__(self, stream: TextIO, steps: int = STEPS) -> None:
        self._stream = stream
        self._steps = steps
        self._reported = 0  # tenths already printed
        self._encoding = False

    def __call__(self, event: Progress) -> None:
        """Take one progress report from the render."""
        if event.stage == "render" and event.total > 0:
            reached = event.done * self._steps // event.total
            if reached > self._reported:
                self._reported = reached
                self._print(self._render_line(event))
        elif event.stage == "encode" and not self._encoding:
            self._encoding = True
            self._print("encode: muxing the video with its audio")

    def _render_line(self, event: Progress) -> str:
        rate = event.done / event.elapsed_s if event.elapsed_s > 0 else None
        speed = f", {rate:.1f} frames/s" if rate else ""
        eta = event.eta_s
        left = f", about {eta:.0f} s left" if eta else ""
        return f"render: {100 * event.done // event.total}% ({event.done}/{event.total} frames){speed}{left}"

    def _print(self, line: str) -> None:
        print(line, file=self._stream, flush=True)


class ProgressBar:
    """A tqdm bar of frames on a terminal; else (docker logs, a journal) a line per tenth with frames/s and ETA."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self._bar = None
        self._lines: ProgressLines | None = None
        if stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="frame", file=stream, dynamic_ncols=True, desc="render")
        else:
            self._lines = ProgressLines(stream)

    def __call__(self, event: Progress) -> None:
        """Show one progress event."""
        if self._lines is not None:
            self._lines(event)
        if self._bar is None:
            return
        if event.stage == "render":
            self._bar.update(event.done - self._bar.n)
        elif event.stage == "encode":
            self._bar.set_description("encode")

    def close(self) -> None:
        """End the bar (the line-per-tenth output needs no ending)."""
        if self._bar is not None:
            self._bar.close()
