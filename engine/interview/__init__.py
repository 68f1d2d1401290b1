"""The interview page's engines: the curriculum, the quiz's seeded choices, the offline grader, two labs.

    from engine.interview import grade_answer, quiz_choices

are re-exported lazily (engine/interview/grader.py and engine/interview/quiz.py), so importing the package stays cheap.
"""

_EXPORTS = {"grade_answer": "engine.interview.grader", "quiz_choices": "engine.interview.quiz"}


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
