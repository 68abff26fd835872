"""Find the files to lint and read them without ever raising on bad input."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from losslint.analysis.summary import MAX_FILE_BYTES, names_a_loss
from losslint.gitignore import Checkout, find_git_dir
from losslint.safe_read import OPEN_FLAGS, read_bounded

PYTHON_SUFFIXES = (".py", ".pyi")
NOTEBOOK_SUFFIX = ".ipynb"


class Excluder:
    """Decides which paths to skip: exclude globs (matched against each path component
    and against the path relative to the project root) and, inside a git checkout,
    what git ignores (read from the ignore files by ``losslint.gitignore``: git itself
    is never run, so nothing the checkout's configuration names is executed)."""

    def __init__(self, patterns: Sequence[str], root: str) -> None:
        self.patterns = tuple(patterns)
        # what ``fnmatch.fnmatch`` does for each pattern, for all of them at once
        self._any = _one_pattern(self.patterns)
        self._any_part = _one_pattern([p for p in self.patterns if "/" not in p])
        self.root = os.path.abspath(root)
        self._checkouts: Dict[str, Optional[Checkout]] = {}  # top folder -> its rules
        self._tops: Dict[str, Optional[str]] = {}  # folder -> top of its checkout

    def excluded(self, path: str, is_dir: Optional[bool] = None) -> bool:
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, self.root).replace(os.sep, "/")
        if self._any is not None:
            if self._any(os.path.normcase(relative)) or self._any(os.path.normcase(os.path.basename(absolute))):
                return True
            if self._any_part is not None and any(self._any_part(os.path.normcase(p)) for p in relative.split("/")[:-1]):
                return True
        return self.git_ignored(absolute, os.path.isdir(absolute) if is_dir is None else is_dir)

    def git_ignored(self, absolute: str, is_dir: bool = False) -> bool:
        top = self._top(os.path.dirname(absolute))
        if top is None:
            return False
        if top not in self._checkouts:
            self._checkouts[top] = Checkout.load(top)
        checkout = self._checkouts[top]
        if checkout is None:
            return False
        return checkout.ignored(os.path.relpath(absolute, top).replace(os.sep, "/"), is_dir)

    def _top(self, directory: str) -> Optional[str]:
        """The top folder of the git checkout holding ``directory`` (the nearest folder
        upwards with a ``.git`` that is a repository), or None."""
        visited = []
        current = directory
        while current not in self._tops:  # a loop, not recursion: paths can be deep
            visited.append(current)
            if find_git_dir(current) is not None:
                self._tops[current] = current
                break
            parent = os.path.dirname(current)
            if parent == current:
                self._tops[current] = None
                break
            current = parent
        for folder in visited:
            self._tops[folder] = self._tops[current]
        return self._tops[directory]


def _one_pattern(patterns: Sequence[str]) -> Optional[Callable[[str], Optional["re.Match[str]"]]]:
    """A matcher telling whether a (``os.path.normcase``-d) name matches any of the
    globs as ``fnmatch.fnmatch`` matches them; None for no globs."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in patterns)).match


def _is_virtualenv(path: str) -> bool:
    return os.path.exists(os.path.join(path, "pyvenv.cfg"))


def discover(
    paths: Sequence[str], excluder: Excluder, force_exclude: bool = False, problems: Optional[List[Tuple[str, str]]] = None
) -> Tuple[List[str], List[str]]:
    """(Python files, notebooks) under ``paths``, sorted. A file named on the command
    line is linted even when excluded, unless ``force_exclude``. Symbolic links to
    folders are not followed, so link loops cannot trap the walk. A folder that cannot
    be listed is added to ``problems`` as (path, reason)."""
    found, notebooks = set(), set()
    for path in paths:
        if os.path.isdir(path):
            for file in _walk(path, excluder, problems):
                (notebooks if file.endswith(NOTEBOOK_SUFFIX) else found).add(file)
        elif not (force_exclude and excluder.excluded(path)):
            (notebooks if path.endswith(NOTEBOOK_SUFFIX) else found).add(os.path.normpath(path))
    return sorted(found), sorted(notebooks)


def _walk(root: str, excluder: Excluder, problems: Optional[List[Tuple[str, str]]] = None) -> Iterator[str]:
    """The files to lint under ``root``, top down. A loop over a stack rather than
    os.walk, which recurses (before Python 3.12) and would crash on a tree a thousand
    folders deep; a folder that cannot be listed is added to ``problems``."""
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as error:
            if problems is not None:
                where = os.path.normpath(error.filename if error.filename is not None else directory)
                problems.append((where, f"cannot read the folder: {error.strerror or error}"))
            continue
        subdirectories = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
                is_link = is_dir and entry.is_symlink()
            except OSError:
                is_dir = is_link = False
            if is_dir:
                if not is_link and not excluder.excluded(entry.path, is_dir=True) and not _is_virtualenv(entry.path):
                    subdirectories.append(entry.path)  # a link to a folder is never followed
            elif entry.name.endswith(PYTHON_SUFFIXES + (NOTEBOOK_SUFFIX,)):
                path = os.path.normpath(entry.path)
                if not excluder.excluded(path, is_dir=False):
                    yield path
        stack.extend(sorted(subdirectories, reverse=True))


MAX_NOTEBOOK_BYTES = 200_000_000
"""A notebook is read whole (its outputs can be large); beyond this it is reported."""

_KINDS = (
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISDIR, "folder"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "special file")


def read(path: str) -> Tuple[bytes, str]:
    """The file's bytes, or empty bytes and why it was not read (the whole LL000 message).

    Only regular files are read (a FIFO would block the run, ``/dev/zero`` never ends),
    opened non-blocking and read up to a bound: a Python file larger than
    ``MAX_FILE_BYTES`` is not analysed (reported if it names a loss, else it is generated
    data and reads as empty); a notebook up to ``MAX_NOTEBOOK_BYTES``."""
    notebook = path.endswith(NOTEBOOK_SUFFIX)
    limit = MAX_NOTEBOOK_BYTES if notebook else MAX_FILE_BYTES
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            return b"", f"not a regular file ({_kind(mode)}); skipped"
        descriptor = os.open(path, OPEN_FLAGS)
    except OSError as error:
        return b"", f"cannot read the file: {error.strerror or error}"
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):  # replaced between the check and the open
            return b"", f"not a regular file ({_kind(mode)}); skipped"
        data, fits = read_bounded(descriptor, limit)
        if fits:
            return data, ""
        total = max(os.fstat(descriptor).st_size, len(data)) / 1e6
        if notebook:
            return b"", f"notebook too large to read ({total:.1f} MB > {limit / 1e6:.0f} MB); skipped"
        if _names_a_loss(descriptor, data):
            return b"", f"file too large to analyse ({total:.1f} MB > {limit / 1e6:.0f} MB); skipped"
        return b"", ""  # generated data or tables: nothing to check, as summarize decides
    except OSError as error:
        return b"", f"cannot read the file: {error.strerror or error}"
    finally:
        os.close(descriptor)


def _names_a_loss(descriptor: int, head: bytes) -> bool:
    """Whether an oversized file names a loss anywhere: the rest is scanned in chunks,
    never held whole, up to the size the file had when opened (one that keeps growing,
    or a /proc file whose size says 0, counts as naming one: it is reported)."""
    if names_a_loss(head):
        return True
    budget = os.fstat(descriptor).st_size - len(head)
    tail = head[-256:]
    while True:
        chunk = os.read(descriptor, 1 << 22)
        if not chunk:
            return False
        budget -= len(chunk)
        if budget < 0 or names_a_loss(tail + chunk):
            return True
        tail = chunk[-256:]
