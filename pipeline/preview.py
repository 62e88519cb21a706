"""A first look at a video before it renders: one frame per cut's class, as a labelled contact sheet.

A render takes a minute or more; what it will show takes one batch of the generator: the
frame at each inflection point (its class, its latent), tiled with the time and the class
under each tile, and whether the class was asked for or is random fill.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.classes import N_CLASSES, class_name
from pipeline.render import FrameGenerator, PreparedRender

MAX_TILES = 16  # a long clip's sheet shows its first cuts; the rest are counted in the last label
MIN_TILE = 160  # small models' frames are scaled up so the labels fit under them
COLUMNS = 4
LABEL_HEIGHT = 34
_BACKGROUND = (18, 18, 22)
_TEXT = (235, 235, 235)
_DIM = (150, 150, 160)


def sheet_inputs(prepared: PreparedRender) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Latents (k, 128), one-hot class vectors (k, 1000) and a label for each tile."""
    plan = prepared.plan
    times = prepared.analysis.inflection_times
    shown = min(len(plan.class_ids), MAX_TILES)
    z = plan.latents[:shown]
    y = np.zeros((shown, N_CLASSES), dtype=np.float32)
    y[np.arange(shown), plan.class_ids[:shown]] = 1.0
    labels = []
    for index in range(shown):
        origin = "asked" if index < plan.n_asked else "random"
        labels.append(f"{_clock(float(times[index]))} · {origin}\n{class_name(int(plan.class_ids[index]))}")
    if len(plan.class_ids) > shown:
        labels[-1] += f" (+{len(plan.class_ids) - shown} more)"
    return z.astype(np.float32), y, labels


def contact_sheet(prepared: PreparedRender, generator: FrameGenerator) -> bytes:
    """The sheet as PNG bytes: the frame at each cut, labelled, in rows of four."""
    z, y, labels = sheet_inputs(prepared)
    frames = np.concatenate(
        [
            generator.generate(
                z[first : first + generator.batch_size],
                y[first : first + generator.batch_size],
                prepared.plan.truncation,
            )
            for first in range(0, len(z), generator.batch_size)
        ]
    )
    return _tile(frames, labels)


def _tile(frames: np.ndarray, labels: list[str]) -> bytes:
    side = max(MIN_TILE, frames.shape[1])
    columns = min(COLUMNS, len(frames))
    rows = math.ceil(len(frames) / columns)
    sheet = Image.new("RGB", (columns * side, rows * (side + LABEL_HEIGHT)), _BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=13)
    for index, (frame, label) in enumerate(zip(frames, labels, strict=True)):
        left, top = (index % columns) * side, (index // columns) * (side + LABEL_HEIGHT)
        tile = Image.fromarray(frame).resize((side, side), Image.Resampling.LANCZOS)
        sheet.paste(tile, (left, top))
        when, name = label.split("\n", 1)
        draw.text((left + 4, top + side + 2), when, fill=_DIM, font=font)
        draw.text((left + 4, top + side + 17), _fit(draw, name, font, side - 8), fill=_TEXT, font=font)
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> str:
    """`text` shortened with an ellipsis until it fits `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"
