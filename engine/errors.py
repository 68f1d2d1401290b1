"""The one error type for input an engine cannot use (empty corpus, dim 0, lr 1e9, ...).

`code` is a stable reason that pages turn into an i18n message; str(error) is an English explanation.
Each engine subclasses it (CorpusError, Word2VecInputError, ...) so callers can catch one family or all.
"""


class InputError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
