"""Grading a class: read the instructor's notebooks, run each submission safely, collect scores.

* :mod:`helpers.grading.layout` reads a notebook's exercises (nbgrader metadata) and builds the
  notebook to run: the instructor's set-up and check cells around the student's answers.
* :mod:`helpers.grading.sandbox` starts a kernel with a memory limit, without network, in its
  own folder (and, run as root, as its own user).
* :mod:`helpers.grading.runner` runs one notebook cell by cell with a time limit per cell.
* :mod:`helpers.grade` is the command: ``python -m helpers.grade SUBMISSIONS --out grades.csv``.
"""
