"""The one validation style of a training config.

Every trainer takes a `@dataclass(frozen=True)` config that mixes in `Checked` and lists its rules once:

    @dataclass(frozen=True)
    class XorConfig(Checked):
        error = XorInputError                 # the family's InputError subclass (default: InputError)
        steps: int = 300
        lr: float = 3e-3

        def checks(self):
            yield 1 <= self.steps <= 20_000, "steps", "steps must be between 1 and 20000"
            yield finite(self.lr) and 0 < self.lr <= 0.1, "lr", "learning rate must be in (0, 0.1]"

`cfg.problems()` lists the codes of the broken rules (a page may turn each into an i18n message, or disable
Train); `cfg.validate()` raises `error(code, english_message)` for the first one. Rules are checked in order,
so a later rule may assume an earlier one holds (e.g. divide by n_heads once n_heads >= 1 is checked).
"""

from __future__ import annotations

import math
import numbers
from typing import ClassVar, Iterator

from engine.core.errors import InputError

__all__ = ["Checked", "finite", "integer"]


def finite(v) -> bool:
    """A real number (bool excluded) that is neither inf nor NaN."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


def integer(v) -> bool:
    """An int (numpy ints included, bool excluded)."""
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


class Checked:
    """Mixin for frozen config dataclasses: `checks()` yields (ok, code, message) per rule."""

    error: ClassVar[type[InputError]] = InputError

    def checks(self) -> Iterator[tuple[bool, str, str]]:
        return iter(())

    def problems(self) -> list[str]:
        """Codes of the broken rules, in order, each once (empty = fine). Stops at a rule that cannot be
        evaluated because an earlier one is broken."""
        out: list[str] = []
        try:
            for ok, code, _ in self.checks():
                if not ok and code not in out:
                    out.append(code)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            if not out:
                raise
        return out

    def validate(self) -> None:
        """Raise `self.error(code, message)` for the first broken rule."""
        for ok, code, message in self.checks():
            if not ok:
                raise self.error(code, message)
