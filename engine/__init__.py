"""Engines: pure Python + PyTorch, no Streamlit.

transformers resolves its top-level names lazily, and that is not thread-safe: when several threads import names
from it at once (as Streamlit's per-session script threads do right after a server starts), some get "cannot
import name 'BertConfig' from 'transformers'". Resolving the names the engines use here, once, under the import
lock of this package, avoids it (tests/deploy/test_engine_imports.py reproduces the race). Add a name here when an
engine starts importing a new one from transformers.
"""

from transformers import (  # noqa: F401
    AutoModelForCausalLM,
    AutoTokenizer,
    BertConfig,
    BertForPreTraining,
    BertModel,
    PreTrainedTokenizerFast,
)
