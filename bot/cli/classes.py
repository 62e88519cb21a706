"""`ganterp classes`: which BigGAN classes words turn into, or all 1000 of them."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from typing import TextIO

from bot.cli.exits import EXIT_INPUT
from bot.settings import Settings
from pipeline.classes import all_classes
from pipeline.words.lookup import LookupOptions, Match, Method, lookup


def cmd_classes(args: argparse.Namespace, settings: Settings) -> int:
    """Print the class each word is read as (1 if any is unknown), or the whole list."""
    if args.list:
        for cls in all_classes():
            print(f"{cls.id:>3}  {', '.join(cls.names)}")
        return 0
    # Read as the bots read words (typos fixed), and say where render and analyze, which refuse a
    # typo rather than guess silently, would need the fixed word.
    matches = lookup(args.words or "", seed=args.seed, options=LookupOptions(max_words=args.max_words))
    if args.json:
        records = [m.as_json() | {"render_refuses": _render_refuses(m)} for m in matches]
        print(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        _print_matches(matches, sys.stdout)
        if any(len(m.choices) > 1 for m in matches):
            # render and analyze draw a seed of their own unless given one: say how to see these there
            # (on stderr: stdout stays the table, one line per word, for scripts).
            print(
                f"where a word has several kinds, seed {args.seed} picked one (--seed picks others); "
                f"render and analyze draw a random seed unless given --seed {args.seed}",
                file=sys.stderr,
            )
    # Unknown words are shown with the rest; the status tells scripts that some failed.
    return EXIT_INPUT if any(m.class_id is None for m in matches) else 0


def _print_matches(matches: Sequence[Match], out: TextIO) -> None:
    width = max(terminal_width(m.short_query) for m in matches)
    for match in matches:
        chosen = f"{match.class_id:>3} {match.class_name}" if match.class_id is not None else "  ?"
        also = f"  (also {', '.join(map(str, match.alternatives))})" if match.alternatives else ""
        padding = " " * (width - terminal_width(match.short_query))
        explain = match.explain()
        if match.class_id is not None:  # why, and how sure: "exact", "WordNet", "curated", "meaning"…
            explain += f"; {match.reason}, {match.confidence:.0%} sure"
        if match.method is Method.SPELLING:
            explain += f"; render and analyze refuse the typo: write {match.via!r}"
        print(f"{match.short_query}{padding}  → {chosen}  [{explain}]{also}", file=out)


def _render_refuses(match: Match) -> bool:
    """Whether `render --classes` refuses the word: unknown, or a typo it will not fix silently."""
    return match.class_id is None or match.method is Method.SPELLING


def terminal_width(text: str) -> int:
    """Columns `text` takes in a terminal: emoji and East Asian wide letters take two, joiners and marks none."""
    columns, last = 0, 0
    for char in text:
        if char == "\ufe0f":  # emoji presentation: the narrow symbol before it (☀, ❤) is drawn wide
            columns, last = columns + last, 0
        elif unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue  # accents, other variation selectors, zero-width joiners
        else:
            last = 1 if unicodedata.east_asian_width(char) not in ("W", "F") else 0
            columns += 2 - last
    return columns
