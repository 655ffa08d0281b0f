"""Running ``bpu-reports`` as a user chmod applies to, for the permission tests.

When the tests run as root (CI, containers), chmod does not deny root anything: the command
then runs as ``nobody`` in a subprocess (``setpriv``, util-linux). Otherwise it runs in-process
after the chmod, as the caller's own ``cli``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

AS_ROOT = os.geteuid() == 0
NOBODY = "nobody"


def reachable(path: Path) -> None:
    """Let an unprivileged user reach ``path``: pytest's temp folders are 0700 for root."""
    for part in [path, *path.parents]:
        if part == Path("/"):
            break
        mode = part.stat().st_mode
        part.chmod(mode | stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | 0o005)


@contextlib.contextmanager
def open_folder() -> Iterator[Path]:
    """A temporary folder ``nobody`` can reach, outside pytest's own: pytest makes its
    ``/tmp/pytest-of-USER`` 0700 again whenever a session starts, even while another runs."""
    path = Path(tempfile.mkdtemp(prefix="bpu-reports-test-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for part in [path, *path.rglob("*")]:
            if part.is_dir() and not part.is_symlink():
                part.chmod(0o755)
        shutil.rmtree(path, ignore_errors=True)


@functools.cache
def nobody_can_start_processes() -> bool:
    """Whether ``nobody`` may start this interpreter again (worker processes, kernels): not
    when it lives in a folder only root may enter (``/root/.pyenv``), even though ``setpriv``
    could start it once."""
    if not AS_ROOT:
        return True
    setpriv = shutil.which("setpriv")
    if not setpriv:
        return False
    probe = "import os, sys; sys.exit(0 if os.access(sys.executable, os.X_OK) else 3)"
    drop = [setpriv, f"--reuid={NOBODY}", "--regid=nogroup", "--clear-groups"]
    done = subprocess.run(
        [*drop, sys.executable, "-c", probe],
        capture_output=True,
        timeout=60,
        cwd="/",
    )
    return done.returncode == 0


@contextlib.contextmanager
def immutable(folder: Path) -> Iterator[bool]:
    """``chattr +i folder`` for the block: nothing may be created in it, not even by root.
    Yields whether the file system allowed it."""
    chattr = shutil.which("chattr")
    done = subprocess.run([chattr, "+i", folder], capture_output=True) if chattr else None
    try:
        yield bool(done and done.returncode == 0)
    finally:
        if done and done.returncode == 0:
            subprocess.run([chattr, "-i", folder], check=True)


def give_to_nobody(path: Path) -> None:
    """Make ``path`` (and all below it) belong to the unprivileged user, so its own modes
    apply to it (nothing to do when the tests do not run as root)."""
    if not AS_ROOT:
        return
    user = pwd.getpwnam(NOBODY)
    for part in [path, *path.rglob("*")]:
        os.chown(part, user.pw_uid, user.pw_gid, follow_symlinks=False)


def run_unprivileged(
    cli: Callable[..., tuple[int, str, str]],
    tmp_path: Path,
    *argv: object,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> tuple[int, str, str]:
    """``bpu-reports *argv`` as a user chmod applies to: ``nobody`` in a subprocess when we are
    root, else in-process with ``cli``. ``env`` is added to the environment; ``cwd`` defaults
    to a home folder under ``tmp_path``."""
    if not AS_ROOT:
        return _in_process(cli, argv, cwd, env)
    reachable(tmp_path)
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to drop root for the permission tests"
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    home.chmod(0o777)
    done = subprocess.run(
        [
            setpriv,
            f"--reuid={NOBODY}",
            "--regid=nogroup",
            "--clear-groups",
            sys.executable,
            "-m",
            "bpu_reports",
            *map(str, argv),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "HOME": str(home), **(env or {})},
        cwd=cwd or home,
    )
    return done.returncode, done.stdout, done.stderr


def _in_process(
    cli: Callable[..., tuple[int, str, str]],
    argv: tuple[object, ...],
    cwd: Path | None,
    env: Mapping[str, str] | None,
) -> tuple[int, str, str]:
    before_cwd, before_env = Path.cwd(), dict(os.environ)
    try:
        if cwd is not None:
            os.chdir(cwd)
        os.environ.update(env or {})
        return cli(*argv)
    finally:
        os.chdir(before_cwd)
        os.environ.clear()
        os.environ.update(before_env)
