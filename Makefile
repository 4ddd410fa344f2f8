# The two commands of the README:
#   make lab    set up (first time only) and open JupyterLab on notebooks/
#   make test   set up (first time only) and run every test: unit tests + every notebook under nbval
# Set-up is scripts/setup.sh: it creates .venv when missing and installs nothing when nothing changed.

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
ROOTOPT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test setup clean-notebooks check-notebooks refresh-notebooks student lab-student grade bench html

setup:
	@bash scripts/setup.sh

lab: setup
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOTOPT)

# Two workers (pytest-xdist). --dist loadscope runs each scope on one worker, in order: a notebook's
# cells (they share a kernel), a test module, or the browser tests together (conftest.py says which).
test: setup
	$(PY) -m pytest -n 2 --dist loadscope

# Notebook hygiene: strip outputs (except checked cells) / report dirty notebooks.
clean-notebooks: setup
	$(PY) -m helpers.nbclean

check-notebooks: setup
	$(PY) -m helpers.nbclean --check

# Re-run every notebook and keep only the outputs of checked cells (after editing a notebook).
refresh-notebooks: setup
	for nb in notebooks/*.ipynb; do \
		$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace "$$nb" || exit 1; \
	done
	$(PY) -m helpers.nbclean

# The student edition, the folder to hand out (git-ignored; publish it as its own repository):
# student/notebooks/ with solutions replaced by stubs, hidden tests and instructor notes removed,
# no outputs; plus helpers/ (without the hidden cases), the set-up files and this Makefile, so
# that `make lab` run inside student/ opens the student notebooks.
student: setup
	$(PY) -m helpers.nbclean --student student

# Open the student edition here, as a student sees it.
lab-student: student
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=student/notebooks $(ROOTOPT)

# Grade a class: one folder per student in $(SUBMISSIONS); writes $(GRADES) (grades.csv),
# feedback/<student>.md and free_text.md beside it. JOBS kernels at a time, TIMEOUT s per cell.
SUBMISSIONS ?= submissions
GRADES      ?= grades/grades.csv
JOBS        ?= 2
TIMEOUT     ?= 60
MEMORY      ?= 4096
grade: setup
	$(PY) -m helpers.grade $(SUBMISSIONS) --out $(GRADES) -j $(JOBS) --timeout $(TIMEOUT) --memory $(MEMORY)

# The static edition: every notebook executed into build/html/ (index in the slides' order), readable offline.
html: setup
	$(PY) scripts/build_html.py --out build/html

bench: setup
	$(PY) benchmarks/bench_conv.py
	$(PY) benchmarks/bench_widgets.py
	$(PY) benchmarks/bench_motivation.py
	$(PY) benchmarks/bench_explorer.py
	$(PY) benchmarks/bench_pool.py
	$(PY) benchmarks/bench_lenet.py
