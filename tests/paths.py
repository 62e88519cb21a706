"""Where the repository and the tests' own data lie, for tests at any depth of the tree."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
