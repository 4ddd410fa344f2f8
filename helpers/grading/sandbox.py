"""Start a kernel in a sandbox: ``python -m helpers.grading.sandbox [options] -- KERNEL COMMAND...``.

Before it becomes the kernel (``os.execvp``), the process:

1. leaves the network: a new network namespace (no interface but a loopback that is down) when
   the system allows it; otherwise the student's code gets a socket that refuses to connect
   anywhere but a Unix socket (``sitecustomize`` in a private folder), and
   ``CNN_COURSE_OFFLINE=1`` keeps the course's own downloads off;
2. sets its memory limit (``RLIMIT_AS``, so a huge allocation raises ``MemoryError``);
3. moves into its working folder;
4. run as root, drops to its own user id (``--uid``), so that it cannot write the instructor's
   files nor other students' copies. It keeps one capability, ``CAP_DAC_READ_SEARCH`` (read
   any file, as an ambient capability that survives ``exec``), so that Python and the course
   stay readable wherever they are installed (for example under ``/root``).

The kernel talks to the grader over Unix sockets (``transport="ipc"``), which work across the
network namespace.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import sys
from pathlib import Path

CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000

_SOCKET_GUARD = '''\
"""Installed by helpers.grading.sandbox: no network for a graded notebook."""
import socket as _socket

_connect = _socket.socket.connect


def _offline_connect(self, address):
    if self.family == getattr(_socket, "AF_UNIX", None):
        return _connect(self, address)
    raise OSError("no network while grading")


_socket.socket.connect = _offline_connect
_socket.socket.connect_ex = lambda self, address: _offline_connect(self, address)
_socket.create_connection = lambda *a, **k: (_ for _ in ()).throw(OSError("no network while grading"))
'''


def _unshare(flags: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(flags) == 0
    except (OSError, AttributeError):
        return False


def leave_network(work: Path) -> str:
    """Cut the network; returns how ("namespace" or "socket guard")."""
    uid, gid = os.getuid(), os.getgid()
    if uid == 0 and _unshare(CLONE_NEWNET):
        return "namespace"
    if uid != 0 and _unshare(CLONE_NEWUSER | CLONE_NEWNET):
        try:  # keep our own ids inside the new user namespace
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        except OSError:
            pass
        return "namespace"
    guard = work / ".offline"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(_SOCKET_GUARD)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(guard), os.environ.get("PYTHONPATH", "")]))
    return "socket guard"


PR_SET_KEEPCAPS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE = 8, 47, 2
CAP_DAC_READ_SEARCH = 2


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def become(uid: int) -> bool:
    """Switch to ``uid`` keeping only the right to read any file; False (nothing changed) when it fails."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0:
            return False
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        bit = 1 << CAP_DAC_READ_SEARCH
        header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
        data = (_CapData * 2)(_CapData(bit, bit, bit), _CapData(0, 0, 0))
        if libc.capset(ctypes.byref(header), data) != 0:
            return True  # a plain user without the capability: still isolated
        libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_DAC_READ_SEARCH, 0, 0)
        return True
    except (OSError, AttributeError):
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m helpers.grading.sandbox", description=__doc__.split("\n\n")[0])
    env = os.environ.get
    parser.add_argument("--memory", type=int, default=int(env("CNN_GRADE_MEMORY", "0")),
                        help="address-space limit in MB (0: none; default $CNN_GRADE_MEMORY)")
    parser.add_argument("--work", default=env("CNN_GRADE_WORK"), help="the working folder (default $CNN_GRADE_WORK)")
    parser.add_argument("--uid", type=int, default=int(env("CNN_GRADE_UID", "-1")),
                        help="run as this user id, root only (default $CNN_GRADE_UID)")
    parser.add_argument("--online", action="store_true", help="keep the network (tests of the sandbox only)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the kernel command after --")
    if not args.work:
        parser.error("give --work (or set CNN_GRADE_WORK)")
    work = Path(args.work)
    os.environ["CNN_COURSE_OFFLINE"] = "1"
    os.environ.update({"HOME": str(work), "MPLCONFIGDIR": str(work / ".matplotlib"), "MPLBACKEND": "Agg",
                       "TMPDIR": str(work), "IPYTHONDIR": str(work / ".ipython")})
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        os.environ[name] = "http://127.0.0.1:9"
    if not args.online:
        os.environ["CNN_GRADE_NETWORK"] = leave_network(work)
    if args.memory > 0:
        limit = args.memory * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.chdir(work)
    if args.uid >= 0 and os.getuid() == 0:
        os.environ["CNN_GRADE_USER"] = str(args.uid) if become(args.uid) else "unchanged"
    os.umask(0o077)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
