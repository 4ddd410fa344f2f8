"""Exercise checkers, one module per notebook.

Each ``check_*`` function takes the student's answer. When it is right, it returns a
:class:`helpers.exercises.framework.CheckReport` that shows ✓; when it is wrong, it raises
:class:`helpers.exercises.framework.ExerciseFailed` (an ``AssertionError``) whose message is the
✗ report (the first failing case and a hint), so that a graded cell fails; an answer that calls
the library's own solution raises ``ShortcutRefused``. References come from the tested
``helpers`` modules and are never shown. ``hidden.py`` holds the grader's extra cases.
"""
