"""The one error type for input that cannot be used (empty corpus, dim 0, lr 1e9, ...).

`code` is a stable reason that pages turn into an i18n message; str(error) is an explanation. Engines raise
`InputError(code, english_message)` (or a family subclass such as CorpusError, so callers can catch one family or
all); a page's make_run raises `InputError(t("..."))` with the translated message alone, which the training panel
shows as it is.
"""


class InputError(ValueError):
    def __init__(self, code: str, message: str | None = None):
        if message is None:  # a page's message, already in the user's language
            code, message = "input", code
        super().__init__(message)
        self.code = code
