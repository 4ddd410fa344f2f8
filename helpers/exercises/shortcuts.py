"""No shortcuts: what an answer must not call, found by reading its code and refused while it runs.

A forbidden function refuses only a call that comes from the student's code; the course's library
and the packages it uses may still call it. :mod:`helpers.exercises.framework` uses this for
``check(..., forbid=[...])``.
"""

from __future__ import annotations

import builtins
import dis
import functools
import importlib
import inspect
import sys
import types
from dataclasses import dataclass
from typing import Any, Callable, Sequence

__all__ = [
    "Forbid",
]


class _ShortcutCalled(BaseException):
    """Raised inside the student's code by a forbidden function. A BaseException, so that a
    student's ``except Exception`` does not swallow it (the check also records the call)."""


#: Packages whose code may call a forbidden function: the course's library and what it uses.
#: A forbidden function refuses only a call that comes from elsewhere (the student's code).
_LIBRARY = {"helpers", "numpy", "scipy", "torch", "functools", "contextlib", "builtins", "math",
            "collections", "itertools", "operator", "typing", "dataclasses", "abc", "copy", "warnings"}


@dataclass(frozen=True)
class Forbid:
    """Something an answer must not call.

    Args:
        target: a dotted name: a function or class (``"numpy.convolve"``,
            ``"helpers.models.lenet.ModernLeNet"``) or a module (``"scipy.signal"``: every
            function in it).
        when: refuse only the calls for which ``when(*args, **kwargs)`` is true (for example
            ``helpers.conv.conv2d`` only with ``groups`` other than 1). Such a target is
            allowed in the code, so only its calls are watched.
        label: how the report names it (default ``target``).
    """

    target: str
    when: Callable[..., bool] | None = None
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.target


def _as_forbid(f) -> Forbid:
    return f if isinstance(f, Forbid) else Forbid(str(f))


def _load(name: str):
    """The module ``name`` if it is loaded (or is the course's own, cheap to import), else None.

    A module that nobody imported cannot be called without an ``import``, which the code
    reading catches by name: so checks never pay for importing scipy or torch themselves.
    """
    if name in sys.modules:
        return sys.modules[name]
    if _top(name) == "helpers":
        try:
            return importlib.import_module(name)
        except ImportError:
            return None
    return None


def _resolve(target: str):
    """(object, parent module or None, attribute name) for a dotted name; None when not loaded."""
    mod = _load(target)
    if mod is not None:
        return mod, None, None
    head, _, attr = target.rpartition(".")
    parent = _load(head)
    if parent is None or not hasattr(parent, attr):
        return None
    return getattr(parent, attr), parent, attr


def _top(name) -> str:
    return str(name or "").split(".")[0]


def _module_routines(mod) -> dict[str, Any]:
    """The public functions (and classes) that a module defines or takes from its own package."""
    top = _top(mod.__name__)
    found = {}
    for name, obj in vars(mod).items():
        if name.startswith("_") or isinstance(obj, types.ModuleType):
            continue
        if not (inspect.isroutine(obj) or inspect.isclass(obj)):
            continue
        if _top(getattr(obj, "__module__", None)) == top:
            found[name] = obj
    return found


def _is_student(obj) -> bool:
    """A function or class that is not the library's: the student's own code."""
    mod = getattr(obj, "__module__", None)
    return mod is not None and _top(mod) not in _LIBRARY and _top(mod) not in sys.stdlib_module_names


class _Guard:
    """Reads the answer's code for forbidden names; while active, forbidden functions refuse to run."""

    def __init__(self, answer, forbids: Sequence[Forbid]):
        self.answer = answer
        self.forbids = [_as_forbid(f) for f in forbids]
        self.used: str | None = None
        self._patches: list[tuple[Any, str, Any]] = []  # (namespace, name, original)
        self.banned: dict[int, str] = {}      # id(object) -> label: may not even appear in the code
        self.watched: dict[int, tuple[Any, Forbid]] = {}  # id(object) -> (object, forbid): calls refused
        self.module_names: dict[str, str] = {}  # forbidden module name -> label
        self.sites: list[tuple[Any, str]] = []  # (module, attribute) to patch
        self.banned_names: dict[str, str] = {}  # dotted name -> label (targets not loaded yet, too)
        self._refusers: dict[int, Any] = {}
        for f in self.forbids:
            if f.when is None:
                self.banned_names[f.target] = f.name
            r = _resolve(f.target)
            if r is None:
                continue
            obj, parent, attr = r
            if isinstance(obj, types.ModuleType):
                self.module_names[obj.__name__] = f.name
                if f.when is None:
                    self.banned[id(obj)] = f.name
                for name, fn in _module_routines(obj).items():
                    # classes are only read for: replacing one would break isinstance in the library
                    self._watch(fn, f, obj if inspect.isroutine(fn) else None, name)
            else:
                self._watch(obj, f, parent, attr)
                home = sys.modules.get(getattr(obj, "__module__", "") or "")
                name = getattr(obj, "__name__", None)
                if home is not None and name and getattr(home, name, None) is obj:
                    self.sites.append((home, name))

    def _watch(self, obj, f: Forbid, module, attr) -> None:
        self.watched[id(obj)] = (obj, f)
        if f.when is None:
            self.banned[id(obj)] = f.name
        if module is not None:
            self.sites.append((module, attr))

    # ---- reading the code
    def scan(self) -> str | None:
        """The label of a forbidden function that the answer's code uses, or None."""
        seen: set[int] = set()
        return self._scan_object(self.answer, seen)

    def _scan_object(self, obj, seen) -> str | None:
        if id(obj) in self.banned:
            return self.banned[id(obj)]
        if isinstance(obj, types.ModuleType):  # a forbidden module, or a submodule of one
            return self._banned_name(obj.__name__)
        if inspect.isroutine(obj) or inspect.isclass(obj):
            mod = getattr(obj, "__module__", None)
            qual = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
            if mod and qual:
                found = self.banned_names.get(f"{mod}.{qual}")
                if found:
                    return found
        if id(obj) in seen:
            return None
        seen.add(id(obj))
        if isinstance(obj, functools.partial):
            return self._scan_object(obj.func, seen) or self._scan_many(obj.args, seen) \
                or self._scan_many(obj.keywords.values(), seen)
        if inspect.ismethod(obj):
            return self._scan_object(obj.__func__, seen)
        if inspect.isfunction(obj) and _is_student(obj):
            closure = {}
            for name, cell in zip(obj.__code__.co_freevars, obj.__closure__ or ()):
                try:
                    closure[name] = cell.cell_contents
                except ValueError:
                    pass
            return (self._scan_code(obj.__code__, obj.__globals__, closure, seen)
                    or self._scan_many(obj.__defaults__ or (), seen)
                    or self._scan_many((obj.__kwdefaults__ or {}).values(), seen)
                    or self._scan_many(closure.values(), seen))
        if inspect.isclass(obj) and _is_student(obj):
            for klass in obj.__mro__:
                if klass is object or not _is_student(klass):
                    if id(klass) in self.banned:
                        return self.banned[id(klass)]
                    continue
                found = self._scan_many(vars(klass).values(), seen)
                if found:
                    return found
            return None
        if isinstance(obj, (staticmethod, classmethod)):
            return self._scan_object(obj.__func__, seen)
        if isinstance(obj, property):
            return self._scan_many((obj.fget, obj.fset), seen)
        if not callable(obj) and _is_student(type(obj)):  # an instance of the student's class
            return self._scan_object(type(obj), seen)
        if callable(obj) and not inspect.isroutine(obj) and not inspect.isclass(obj) and _is_student(type(obj)):
            return self._scan_object(type(obj), seen)
        return None

    def _banned_name(self, module_name: str) -> str | None:
        for name, label in self.banned_names.items():
            if module_name == name or module_name.startswith(name + "."):
                return label
        return None

    def _scan_many(self, objs, seen) -> str | None:
        for o in objs:
            found = self._scan_object(o, seen)
            if found:
                return found
        return None

    def _scan_code(self, code, globals_, closure, seen) -> str | None:
        missing = object()
        chain, imported = missing, ""
        for ins in dis.get_instructions(code):
            op = ins.opname
            if op in ("LOAD_GLOBAL", "LOAD_NAME"):
                chain = globals_.get(ins.argval, getattr(builtins, str(ins.argval), missing))
            elif op in ("LOAD_DEREF", "LOAD_CLASSDEREF"):
                chain = closure.get(ins.argval, missing)
            elif op in ("LOAD_ATTR", "LOAD_METHOD") and chain is not missing:
                if isinstance(chain, types.ModuleType) or inspect.isclass(chain):
                    try:
                        chain = getattr(chain, ins.argval)
                    except Exception:
                        chain = missing
                else:
                    chain = missing
            elif op == "IMPORT_NAME":
                name = str(ins.argval)
                found = self._banned_name(name)
                if found:
                    return found
                imported = name
                chain = sys.modules.get(name, missing)
            elif op == "IMPORT_FROM":
                found = self._banned_name(f"{imported}.{ins.argval}")
                if found:
                    return found
                chain = missing if chain is missing else getattr(chain, ins.argval, missing)
            elif op in ("PUSH_NULL", "PRECALL", "CACHE", "EXTENDED_ARG", "NOP", "KW_NAMES"):
                continue
            else:
                chain = missing
            if chain is not missing:
                found = self._scan_object(chain, seen)
                if found:
                    return found
        for const in code.co_consts:
            if inspect.iscode(const):
                found = self._scan_code(const, globals_, closure, seen)
                if found:
                    return found
        return None

    # ---- refusing to run
    def _refuser(self, original, f: Forbid):
        if id(original) not in self._refusers:
            self._refusers[id(original)] = self._make_refuser(original, f)
        return self._refusers[id(original)]

    def _make_refuser(self, original, f: Forbid):
        guard = self

        def refuse(*args, **kwargs):
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if _top(caller) not in _LIBRARY and (f.when is None or f.when(*args, **kwargs)):
                guard.used = f.name
                raise _ShortcutCalled(f.name)
            return original(*args, **kwargs)

        try:
            functools.update_wrapper(refuse, original)
        except (AttributeError, TypeError):
            pass
        return refuse

    def _student_globals(self) -> list[dict]:
        """The global namespaces of the student's functions, and (in ``self._cells``) their closure cells."""
        out, seen = [], set()
        self._cells = []

        def visit(obj, depth=0):
            if depth > 6 or id(obj) in seen:
                return
            seen.add(id(obj))
            if isinstance(obj, functools.partial):
                visit(obj.func, depth + 1)
            elif inspect.ismethod(obj):
                visit(obj.__func__, depth + 1)
            elif inspect.isfunction(obj) and _is_student(obj):
                if all(g is not obj.__globals__ for g in out):
                    out.append(obj.__globals__)
                for cell in obj.__closure__ or ():
                    try:
                        value = cell.cell_contents
                    except ValueError:
                        continue
                    if id(value) in self.watched:
                        self._cells.append(cell)
                    else:
                        visit(value, depth + 1)
            elif _is_student(type(obj)) and not inspect.isclass(obj):
                visit(type(obj), depth + 1)
            elif inspect.isclass(obj) and _is_student(obj):
                for v in vars(obj).values():
                    visit(v, depth + 1)

        visit(self.answer)
        return out

    def __enter__(self):
        self.used = None
        self._patches = []
        done = set()
        for module, attr in self.sites:
            key = (id(module), attr)
            if key in done:
                continue
            done.add(key)
            original = getattr(module, attr, None)
            if original is None or id(original) not in self.watched:
                continue
            self._patches.append((module, attr, original))
            setattr(module, attr, self._refuser(original, self.watched[id(original)][1]))
        for g in self._student_globals():
            for name, value in list(g.items()):
                if id(value) in self.watched and not isinstance(value, types.ModuleType):
                    self._patches.append((g, name, value))
                    g[name] = self._refuser(value, self.watched[id(value)][1])
        for cell in self._cells:
            value = cell.cell_contents
            if id(value) in self.watched:
                self._patches.append((cell, None, value))
                cell.cell_contents = self._refuser(value, self.watched[id(value)][1])
        return self

    def __exit__(self, *exc):
        for namespace, name, original in reversed(self._patches):
            if isinstance(namespace, dict):
                namespace[name] = original
            elif isinstance(namespace, types.CellType):
                namespace.cell_contents = original
            else:
                setattr(namespace, name, original)
        self._patches = []
        return False
