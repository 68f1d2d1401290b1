"""The store's one error type: `StoreError(code, message)`.

`code` is a stable reason the UI maps to an en/zh message (docs/database.md lists them); str(error) is an English
explanation for logs. The store does not import engine/ (that would pull in transformers), so this is its own
class; like engine.core.errors.InputError it is a ValueError.
"""

from __future__ import annotations


class StoreError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
