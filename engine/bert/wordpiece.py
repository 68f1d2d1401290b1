"""A WordPiece vocabulary learnt from our own corpus with Hugging Face `tokenizers`, wrapped for `transformers`.

BERT's recipe (Devlin et al. 2019, §3 and appendix A): lower-case, split on whitespace and punctuation, put spaces
around every CJK character (Chinese is tokenised character by character), then greedy longest-match-first
WordPiece where word-internal pieces carry a "##" prefix: playing -> play ##ing. Training is in memory and takes
well under a second on a few thousand sentences, so nothing is cached on disk.
"""

from __future__ import annotations

from typing import Iterable

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
MIN_VOCAB, MAX_VOCAB = 50, 50_000


def train_wordpiece(texts: Iterable[str], vocab_size: int = 3000, min_frequency: int = 2) -> PreTrainedTokenizerFast:
    """Learn a BERT-style WordPiece tokenizer from raw sentences; returns a fast tokenizer that builds
    `[CLS] A [SEP] B [SEP]` pairs with segment ids 0/1 like `BertTokenizer`."""
    if not MIN_VOCAB <= vocab_size <= MAX_VOCAB:
        raise ValueError(f"vocab_size must be between {MIN_VOCAB} and {MAX_VOCAB}")
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(SPECIAL_TOKENS),
        continuing_subword_prefix="##",
    )
    tok.train_from_iterator((t for t in texts if t and t.strip()), trainer=trainer)
    if tok.get_vocab_size() <= len(SPECIAL_TOKENS):
        raise ValueError("the corpus has no words to learn a vocabulary from")
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )


def vocab_file_lines(tokenizer: PreTrainedTokenizerFast) -> list[str]:
    """The vocabulary in id order, one token a line: the vocab.txt format `BertTokenizer` reads."""
    vocab = tokenizer.get_vocab()
    return [tok for tok, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
