"""What git ignores in a checkout, read from the ignore files themselves: no git process.

Running ``git`` inside the linted tree is running its author's choice of programs:
git reads the checkout's own ``.git/config``, whose ``core.fsmonitor`` (and, for other
git commands, hooks, pagers, ``core.sshCommand``, filter drivers, ...) name commands git
executes. Overriding the settings known today is a deny-list that each git release can
outgrow, so losslint reads the rules itself, as data: ``.gitignore`` files (a symbolic
link is not followed, as git does not), ``$GIT_DIR/info/exclude`` and
``core.excludesFile`` (from the user's git configuration, default
``$XDG_CONFIG_HOME/git/ignore``), with git's precedence (the last matching line wins;
a deeper ``.gitignore`` over a shallower one over ``info/exclude`` over
``core.excludesFile``) and wildmatch syntax (``!`` negation, trailing ``/`` for folders
only, a ``/`` at the start or in the middle anchors, ``**``, ``[...]``, ``\\`` escapes).
As git: a file inside an ignored folder cannot be re-included, and a tracked file
(listed in ``$GIT_DIR/index``) is never ignored.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Pattern, Set, Tuple

from losslint.safe_read import read_regular

MAX_RULES_BYTES = 8_000_000
"""An ignore or configuration file larger than this is not read (no rules from it)."""
MAX_INDEX_BYTES = 512_000_000


# -- patterns ---------------------------------------------------------------------------

_POSIX_CLASSES = {
    "alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "blank": " \\t", "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9",
    "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z", "xdigit": "0-9a-fA-F",
}  # fmt: skip


def _class(pattern: str, start: int) -> Tuple[Optional[str], int]:
    """The regex for the bracket expression at ``pattern[start] == "["`` and the index
    after it; None for an unterminated one (git's wildmatch then matches nothing)."""
    i = start + 1
    negated = i < len(pattern) and pattern[i] in "!^"
    if negated:
        i += 1
    items: List[str] = []
    first = True
    while i < len(pattern):
        c = pattern[i]
        if c == "]" and not first:
            body = "".join(items) or "\\x00-\\x00"  # an empty class: never matches in practice
            return ("(?!/)" + ("[^" if negated else "[") + body + "]"), i + 1
        first = False
        if c == "[" and pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            name = pattern[i + 2 : end] if end != -1 else ""
            if name in _POSIX_CLASSES:
                items.append(_POSIX_CLASSES[name])
                i = end + 2
                continue
        if c == "\\" and i + 1 < len(pattern):
            i += 1
            c = pattern[i]
        if i + 2 < len(pattern) and pattern[i + 1] == "-" and pattern[i + 2] != "]":
            high = pattern[i + 2]
            step = 3
            if high == "\\" and i + 3 < len(pattern):
                high, step = pattern[i + 3], 4
            if ord(high) >= ord(c):
                items.append(re.escape(c) + "-" + re.escape(high))
            i += step
            continue
        items.append(re.escape(c))
        i += 1
    return None, i


def translate(pattern: str, pathname: bool) -> Optional[str]:
    """A wildmatch pattern as a regex matching a whole path (``pathname``: ``*``, ``?``
    and classes stop at ``/``, ``**`` between slashes spans folders). None: a pattern
    that can never match (an unterminated ``[`` or a trailing backslash)."""
    out: List[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 == n:
                return None
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            if pathname and j - i >= 2 and (i == 0 or pattern[i - 1] == "/") and (j == n or pattern[j] == "/"):
                if j == n:
                    out.append(".*")
                else:
                    out.append("(?:.*/)?")
                    j += 1
            else:
                out.append("[^/]*" if pathname else ".*")
            i = j
        elif c == "?":
            out.append("[^/]" if pathname else ".")
            i += 1
        elif c == "[":
            regex, i = _class(pattern, i)
            if regex is None:
                return None
            out.append(regex)
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _trim_trailing_spaces(line: str) -> str:
    """As git: trailing spaces go unless escaped with a backslash (tabs stay)."""
    last_space = None
    i = 0
    while i < len(line):
        c = line[i]
        if c == " ":
            if last_space is None:
                last_space = i
        elif c == "\\":
            i += 1
            if i == len(line):
                return line
            last_space = None
        else:
            last_space = None
        i += 1
    return line[:last_space] if last_space is not None else line


@dataclass(frozen=True)
class Rule:
    regex: Pattern[str]
    negated: bool
    directory_only: bool
    basename: bool  # no slash in the pattern: matched against the last path component
    base: str  # the folder of the ignore file, relative to the checkout ("" at the top)

    def matches(self, path: str, is_dir: bool) -> bool:
        if self.directory_only and not is_dir:
            return False
        if self.base:
            if not path.startswith(self.base + "/"):
                return False
            path = path[len(self.base) + 1 :]
        subject = path.rsplit("/", 1)[-1] if self.basename else path
        return self.regex.fullmatch(subject) is not None


def parse_rules(data: bytes, base: str, ignore_case: bool = False) -> List[Rule]:
    """The rules of one ignore file whose folder is ``base`` (relative, "" at the top)."""
    text = data.decode("utf-8", "surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    rules = []
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if not line or line.startswith("#"):
            continue
        line = _trim_trailing_spaces(line)
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        directory_only = line.endswith("/")
        if directory_only:
            line = line[:-1]
        if not line:
            continue
        basename = "/" not in line
        if line.startswith("/"):
            line = line[1:]
        regex = translate(line, pathname=not basename)
        if regex is not None:
            rules.append(Rule(re.compile(regex, flags), negated, directory_only, basename, base))
    return rules


# -- the checkout -----------------------------------------------------------------------


def _config_value(data: bytes, section: str, key: str) -> Optional[str]:
    """The last value of ``section.key`` (both lower case) in a git configuration file;
    ``[include]`` is not followed."""
    value = None
    current = ""
    for raw in data.decode("utf-8", "surrogateescape").splitlines():
        line = raw.strip()
        if line.startswith("["):
            end = line.find("]")
            header = line[1:end].split(None, 1) if end != -1 else []
            current = header[0].lower() if len(header) == 1 else ""  # [core]; not [remote "x"]
            line = line[end + 1 :].strip() if end != -1 else ""
        if not line or line[0] in "#;" or current != section:
            continue
        name, equals, rest = line.partition("=")
        if name.strip().lower() == key:
            value = _config_string(rest) if equals else "true"
    return value


def _config_string(text: str) -> str:
    """A git configuration value: quotes removed, escapes read, comments dropped."""
    out: List[str] = []
    quoted = False
    i = 0
    text = text.strip()
    while i < len(text):
        c = text[i]
        if c == '"':
            quoted = not quoted
        elif c == "\\" and i + 1 < len(text):
            i += 1
            out.append({"n": "\n", "t": "\t", "b": "\b"}.get(text[i], text[i]))
        elif c in "#;" and not quoted:
            break
        else:
            out.append(c)
        i += 1
    return "".join(out).strip()


def _home_config_files() -> List[str]:
    """The user's own git configuration files, lowest precedence first (no system file:
    excludesFile is a per-user setting in practice)."""
    if os.environ.get("GIT_CONFIG_GLOBAL"):
        return [os.path.expanduser(os.environ["GIT_CONFIG_GLOBAL"])]
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return [os.path.join(xdg, "git", "config"), os.path.join(os.path.expanduser("~"), ".gitconfig")]


def _default_excludes_file() -> str:
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(xdg, "git", "ignore")


def find_git_dir(top: str) -> Optional[Tuple[str, str]]:
    """(git dir, common dir) of the checkout whose top folder is ``top``, or None when
    ``top`` holds no ``.git`` that looks like a repository."""
    dot_git = os.path.join(top, ".git")
    if os.path.isdir(dot_git):
        git_dir = dot_git
    else:
        data = read_regular(dot_git, 65536)
        if data is None or not data.startswith(b"gitdir:"):
            return None
        target = os.fsdecode(data[len(b"gitdir:") :].strip())
        git_dir = os.path.normpath(os.path.join(top, target))
    if not os.path.exists(os.path.join(git_dir, "HEAD")):
        return None
    common = read_regular(os.path.join(git_dir, "commondir"), 65536)
    common_dir = os.path.normpath(os.path.join(git_dir, os.fsdecode(common.strip()))) if common else git_dir
    return git_dir, common_dir


def tracked_paths(git_dir: str, hash_size: int = 20) -> Optional[FrozenSet[str]]:
    """The paths the index lists (versions 2 to 4; with a split index, the shared part
    too), or None when it cannot be read. No index: nothing is tracked."""
    index = os.path.join(git_dir, "index")
    if not os.path.lexists(index):
        return frozenset()
    paths: Set[str] = set()
    shared = _read_index(read_regular(index, MAX_INDEX_BYTES), hash_size, paths)
    if shared is None:
        return None
    if shared:
        if _read_index(read_regular(os.path.join(git_dir, "sharedindex." + shared), MAX_INDEX_BYTES), hash_size, paths) is None:
            return None
    return frozenset(paths)


def _read_index(data: Optional[bytes], hash_size: int, paths: Set[str]) -> Optional[str]:
    """Adds the index's paths to ``paths``; returns the shared index's name for a split
    index, "" otherwise, None when the data is not an index losslint can read."""
    if data is None or len(data) < 12 + hash_size or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3, 4):
        return None
    offset, end = 12, len(data) - hash_size
    previous = b""
    try:
        for _ in range(count):
            start = offset
            offset += 40 + hash_size
            (flags,) = struct.unpack(">H", data[offset : offset + 2])
            offset += 2
            if version >= 3 and flags & 0x4000:
                offset += 2
            if version == 4:
                strip, offset = _varint(data, offset)
                stop = data.index(b"\0", offset)
                name = previous[: len(previous) - strip] + data[offset:stop]
                offset = stop + 1
            else:
                stop = data.index(b"\0", offset)
                name = data[offset:stop]
                offset = start + ((stop - start) // 8 + 1) * 8
            if offset > end:
                return None
            previous = name
            paths.add(os.fsdecode(name))
        shared = ""
        while offset + 8 <= end:
            signature, size = data[offset : offset + 4], struct.unpack(">I", data[offset + 4 : offset + 8])[0]
            if signature == b"link" and size >= hash_size:
                shared = data[offset + 8 : offset + 8 + hash_size].hex()
            offset += 8 + size
        return shared
    except (struct.error, ValueError, IndexError):
        return None


def _varint(data: bytes, offset: int) -> Tuple[int, int]:
    """git's offset encoding (index version 4)."""
    byte = data[offset]
    offset += 1
    value = byte & 0x7F
    while byte & 0x80:
        value += 1
        byte = data[offset]
        offset += 1
        value = (value << 7) + (byte & 0x7F)
    return value, offset


@dataclass
class Checkout:
    """One git checkout: its ignore rules, loaded folder by folder as they are needed."""

    top: str  # absolute
    git_dir: str
    common_dir: str
    ignore_case: bool = False
    tracked: Optional[FrozenSet[str]] = None  # None: unknown (unreadable index)
    tracked_folders: FrozenSet[str] = frozenset()
    base_rules: List[Rule] = field(default_factory=list)  # core.excludesFile, then info/exclude
    _folder_rules: Dict[str, List[Rule]] = field(default_factory=dict)
    _excluded_folders: Dict[str, bool] = field(default_factory=dict)

    @classmethod
    def load(cls, top: str) -> Optional["Checkout"]:
        found = find_git_dir(top)
        if found is None:
            return None
        git_dir, common_dir = found
        config = read_regular(os.path.join(common_dir, "config"), MAX_RULES_BYTES) or b""
        ignore_case = (_config_value(config, "core", "ignorecase") or "false").lower() in ("true", "yes", "on", "1")
        object_format = (_config_value(config, "extensions", "objectformat") or "sha1").lower()
        checkout = cls(top, git_dir, common_dir, ignore_case)
        excludes_file: Optional[str] = None
        for path in _home_config_files():
            value = _config_value(read_regular(path, MAX_RULES_BYTES) or b"", "core", "excludesfile")
            excludes_file = value if value is not None else excludes_file
        local = _config_value(config, "core", "excludesfile")
        excludes_file = local if local is not None else excludes_file
        excludes_file = os.path.join(top, os.path.expanduser(excludes_file)) if excludes_file else _default_excludes_file()
        for path in (excludes_file, os.path.join(common_dir, "info", "exclude")):
            checkout.base_rules += parse_rules(read_regular(path, MAX_RULES_BYTES) or b"", "", ignore_case)
        checkout.tracked = tracked_paths(git_dir, 32 if object_format == "sha256" else 20)
        folders: Set[str] = set()
        for path in checkout.tracked or ():
            parts = path.rstrip("/").split("/")
            folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
            if path.endswith("/"):  # a sparse index's folder entry
                folders.add(path.rstrip("/"))
        checkout.tracked_folders = frozenset(folders)
        return checkout

    def _rules(self, folder: str) -> List[Rule]:
        """The rules of ``folder``'s own .gitignore (a symbolic link is not followed)."""
        if folder not in self._folder_rules:
            path = os.path.join(self.top, *folder.split("/"), ".gitignore") if folder else os.path.join(self.top, ".gitignore")
            data = read_regular(path, MAX_RULES_BYTES, follow=False) or b""
            self._folder_rules[folder] = parse_rules(data, folder, self.ignore_case)
        return self._folder_rules[folder]

    def _matched(self, path: str, is_dir: bool) -> bool:
        """Whether the last rule matching ``path`` (its folders not considered) ignores it."""
        parts = path.split("/")
        for depth in range(len(parts) - 1, -1, -1):  # the deepest .gitignore first
            for rule in reversed(self._rules("/".join(parts[:depth]))):
                if rule.matches(path, is_dir):
                    return not rule.negated
        for rule in reversed(self.base_rules):
            if rule.matches(path, is_dir):
                return not rule.negated
        return False

    def _folder_excluded(self, folder: str) -> bool:
        """Whether git ignores the folder (itself, or one of its parents)."""
        parts = folder.split("/")
        excluded = False
        for depth in range(1, len(parts) + 1):  # top down, a loop: paths can be deep
            current = "/".join(parts[:depth])
            if current not in self._excluded_folders:
                self._excluded_folders[current] = excluded or self._matched(current, True)
            excluded = self._excluded_folders[current]
        return excluded

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether git ignores ``path`` (relative, with ``/``): a folder holding a tracked
        file is not skipped, nor is a tracked file."""
        if not path or path == ".git" or path.startswith(".git/"):
            return False
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        if is_dir:
            if not self._folder_excluded(path):
                return False
            return path not in self.tracked_folders
        if not ((parent and self._folder_excluded(parent)) or self._matched(path, False)):
            return False
        return self.tracked is None or path not in self.tracked
