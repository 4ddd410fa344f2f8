"""Set-up files agree with each other: pyproject.toml, environment.yml, README, Makefile, .ci/run."""

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).parent.parent
CONDA_TO_PYPI = {"pytorch": "torch"}  # conda-forge names that differ from PyPI's
NOT_PACKAGES = {"python", "pip"}


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    parsed = [Requirement(r) for r in reqs]
    return {r.name.lower(): str(r.specifier) for r in parsed}


def environment_requirements(text: str) -> dict[str, str]:
    deps = yaml.safe_load(text)["dependencies"]
    out = {}
    for d in deps:
        if isinstance(d, dict):  # a pip: section
            for r in d.get("pip", []):
                req = Requirement(r)
                out[req.name.lower()] = str(req.specifier)
            continue
        req = Requirement(re.sub(r"\s+", "", d))
        name = CONDA_TO_PYPI.get(req.name.lower(), req.name.lower())
        if name not in NOT_PACKAGES:
            out[name] = str(req.specifier)
    return out


def drift(env_text: str) -> list[str]:
    pip, conda = pyproject_requirements(), environment_requirements(env_text)
    problems = [f"{n} is in pyproject.toml but not environment.yml" for n in sorted(pip.keys() - conda.keys())]
    problems += [f"{n} is in environment.yml but not pyproject.toml" for n in sorted(conda.keys() - pip.keys())]
    problems += [f"{n}: pyproject says '{pip[n]}', environment.yml says '{conda[n]}'"
                 for n in sorted(pip.keys() & conda.keys()) if pip[n] != conda[n]]
    return problems


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert drift((ROOT / "environment.yml").read_text()) == []


def test_the_drift_check_catches_a_drifted_environment():
    text = (ROOT / "environment.yml").read_text()
    assert drift(text.replace("  - ipympl>=0.9.3\n", "")) == ["ipympl is in pyproject.toml but not environment.yml"]
    assert drift(text.replace("numpy>=1.24", "numpy>=1.20")) == [
        "numpy: pyproject says '>=1.24', environment.yml says '>=1.20'"]
    assert drift(text + "  - seaborn\n") == ["seaborn is in environment.yml but not pyproject.toml"]


def test_the_package_is_named_explicitly():
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert "helpers" in find["include"]


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make lab", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M), ".ci/run must run the README's test command"
    makefile = (ROOT / "Makefile").read_text()
    test = re.search(r"^test: setup\n\t\$\(PY\) -m pytest(.*)$", makefile, re.M)
    assert test, "make test must run pytest"
    # options only (workers, distribution), no paths: every test under testpaths runs
    assert not [t for t in test.group(1).split() if "/" in t or t.endswith((".py", ".ipynb"))], test.group(1)
    lab = re.search(r"^lab: setup\n\t(.*)$", makefile, re.M).group(1)
    assert "--ServerApp.ip=127.0.0.1" in lab, "JupyterLab must listen on 127.0.0.1 only"
    assert "token" not in lab.lower() and "password" not in lab.lower(), "token authentication stays on"


def test_setup_is_idempotent():
    """Run from `make test`, set-up has just happened: a second run must install nothing.

    ``--check`` only looks: a test must not reinstall packages under the other tests' feet.
    """
    if not (ROOT / ".venv" / ".installed").exists():
        pytest.skip("not running inside the project's .venv (set up by scripts/setup.sh)")
    out = subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh"), "--check"], capture_output=True, text=True)
    assert out.stdout.strip() == "setup: .venv is up to date", out.stdout + out.stderr
