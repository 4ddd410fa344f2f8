"""Exercise checkers, one module per notebook.

Each ``check_*`` function takes the student's answer and returns a
:class:`helpers.exercises.framework.CheckReport` (✓, or ✗ with the first failing case and a
hint). References come from the tested ``helpers`` modules and are never shown.
"""
