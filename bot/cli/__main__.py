"""`python -m bot.cli`: the same command as `ganterp`."""

import sys

from bot.cli.main import main

sys.exit(main())
