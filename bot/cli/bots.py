"""`ganterp bot`: run the Discord and/or X bots, the daily post and the render worker until stopped."""

from __future__ import annotations

import argparse

from bot.settings import Settings


def cmd_bot(args: argparse.Namespace, settings: Settings) -> int:
    """Run the front ends the settings configure (discord.py is imported only for this command)."""
    from bot.runner import run_bot

    return run_bot(settings)
