"""AppTest helpers shared by the BERT labs' tests (tests/engine/labs/test_lab_*.py)."""

from __future__ import annotations

from conftest import open_lab  # noqa: F401 - re-exported: the labs' tests import it from here


def text(key, lang):
    from ui.i18n import strings

    return strings(lang)[key]
