"""``losslint server``: a language server (LSP over standard input and output).

Editors send the text of open Python files; the server lints each one as
``losslint - --stdin-filename PATH`` would (the project's configuration found from the
file, its excludes, its imports followed on disk, the buffers of other open files in
place of their saved versions) and publishes the findings located in it, each with the
other site as ``relatedInformation`` (a finding whose loss call is in another file is
shown at the activation in this one). A fix is a code action: safe fixes are preferred
quick fixes, unsafe ones are offered, marked, never preferred.

Analysis runs in one worker thread, one document at a time; a change is analysed after
``DEBOUNCE_SECONDS`` without further changes (the per-file cache makes a re-analysis
cheap), an open or a save at once. Needs the ``lsp`` extra (pygls).
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from losslint import __version__
from losslint.report import Diagnostic, Location, Severity

try:
    from lsprotocol import types as lsp
    from pygls.lsp.server import LanguageServer
    from pygls.uris import from_fs_path, to_fs_path
except ImportError:  # pragma: no cover - the lsp extra is not installed
    lsp = None  # type: ignore[assignment]

DEBOUNCE_SECONDS = 0.3
PYTHON_SUFFIXES = (".py", ".pyi")
SEVERITIES = {"error": 1, "warning": 2, "info": 3}  # lsp.DiagnosticSeverity values


@dataclass
class Analysis:
    """One document's findings for one version of its text."""

    version: Optional[int]
    diagnostics: List[Tuple[Any, Diagnostic]] = field(default_factory=list)  # (LSP diagnostic, losslint's)
    lines: Dict[str, List[str]] = field(default_factory=dict)  # path -> lines, for positions


def _shown(path: str) -> str:
    """A path as the linter's module index shows it: relative inside the current folder."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else path


class Linter:
    """Runs losslint on a buffer: settings from the file's project, a cache per project."""

    def __init__(self) -> None:
        self._caches: Dict[str, Any] = {}

    def _cache(self, directory: str) -> Any:
        from losslint.cache import Cache

        if directory not in self._caches:
            self._caches[directory] = Cache(directory)
        cache = self._caches[directory]
        return cache if cache.enabled else None

    def lint(self, path: str, text: str, buffers: Dict[str, str]) -> Tuple[List[Diagnostic], Dict[str, List[str]], List[str]]:
        """The findings located in ``path`` (absolute) whose text is ``text``, the lines of
        every file they point into, and messages for the editor's log (configuration
        errors, internal errors). ``buffers``: other open files' texts (absolute path)."""
        from losslint.analysis import tables as T
        from losslint.cache import CACHE_DIRECTORY
        from losslint.config import ConfigError, settings
        from losslint.files import Excluder
        from losslint.knowledge import KnowledgeError
        from losslint.runner import lint

        try:
            options = settings([path], None, None, [], [])
            T.configure(options.knowledge)
        except (ConfigError, KnowledgeError) as error:
            return [], {}, [f"losslint: error: {error}"]
        if Excluder(options.exclude, options.root).excluded(path, is_dir=False):
            return [], {}, []  # excluded by the configuration: nothing to say, as --force-exclude
        name = _shown(path)
        overrides = {_shown(other): data.encode("utf-8", "surrogatepass") for other, data in buffers.items() if other != path}
        report = lint(
            [name],
            options.selected,
            {name: text.encode("utf-8", "surrogatepass")},
            exclude=options.exclude,
            per_file_ignores=options.per_file_ignores,
            root=options.root,
            cache=self._cache(os.path.join(options.project_root, CACHE_DIRECTORY)),
            jobs=1,
            overrides=overrides,
            on_disk=True,
        )
        found = [d for d in report.diagnostics if os.path.abspath(d.location.path) == path]
        lines = {os.path.abspath(p): list(ls) for p, ls in report.sources.items()}
        for p, content in report.texts.items():
            lines.setdefault(os.path.abspath(p), content.splitlines(True))
        lines[path] = text.splitlines(True)
        return found, lines, list(report.notes)


def _position(codec: Any, lines: Sequence[str], row: int, column: int) -> Any:
    """losslint's 1-based row and column (in characters) as an LSP position in the
    client's units (UTF-16 unless negotiated otherwise)."""
    position = lsp.Position(line=max(row - 1, 0), character=max(column - 1, 0))
    if position.line >= len(lines):
        return position
    return codec.position_to_client_units(lines, position)


def _range(codec: Any, lines: Sequence[str], location: Location) -> Any:
    start = _position(codec, lines, location.row, location.column)
    end = _position(codec, lines, location.end_row, location.end_column)
    return lsp.Range(start=start, end=end if (end.line, end.character) >= (start.line, start.character) else start)


def _uri(path: str) -> str:
    return from_fs_path(os.path.abspath(path)) or path


def to_lsp(codec: Any, diagnostic: Diagnostic, lines: Dict[str, List[str]]) -> Any:
    """A losslint finding as an LSP diagnostic: code, severity, range, and the other
    site(s) as related information."""
    from losslint import DOCS_URL

    related = [
        lsp.DiagnosticRelatedInformation(
            location=lsp.Location(
                uri=_uri(r.location.path),
                range=_range(codec, lines.get(os.path.abspath(r.location.path), []), r.location),
            ),
            message=r.message,
        )
        for r in diagnostic.related
        if r.location.cell is None  # a notebook's cell has no position in its file's text
    ]
    severity = SEVERITIES.get(diagnostic.severity.value if isinstance(diagnostic.severity, Severity) else str(diagnostic.severity), 3)
    return lsp.Diagnostic(
        range=_range(codec, lines.get(os.path.abspath(diagnostic.location.path), []), diagnostic.location),
        message=diagnostic.message,
        severity=lsp.DiagnosticSeverity(severity),
        code=diagnostic.code,
        code_description=lsp.CodeDescription(href=f"{DOCS_URL}#what-it-finds"),
        source="losslint",
        related_information=related or None,
    )


def _overlaps(a: Any, b: Any) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (b.start.line, b.start.character) <= (
        a.end.line,
        a.end.character,
    )


def code_actions(codec: Any, analysis: Analysis, wanted: Any) -> List[Any]:
    """The fixes of the findings overlapping the range ``wanted``, as quick fixes; a
    safe fix is preferred, an unsafe one says so in its title."""
    actions = []
    for shown, diagnostic in analysis.diagnostics:
        fix = diagnostic.fix
        if fix is None or not diagnostic.changes or not _overlaps(shown.range, wanted):
            continue
        if any(change.location.cell is not None for change in diagnostic.changes):
            continue  # a notebook's cells: not an edit of its text
        edits: Dict[str, List[Any]] = {}
        for change in diagnostic.changes:
            lines = analysis.lines.get(os.path.abspath(change.location.path), [])
            where = lsp.Range(
                start=_position(codec, lines, change.location.row, change.location.column),
                end=_position(codec, lines, change.end_location.row, change.end_location.column),
            )
            edits.setdefault(_uri(change.location.path), []).append(lsp.TextEdit(range=where, new_text=change.content))
        title = f"{diagnostic.code}: {fix.message}" + ("" if fix.safe else " (unsafe fix: review it)")
        actions.append(
            lsp.CodeAction(
                title=title,
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[shown],
                is_preferred=bool(fix.safe),
                edit=lsp.WorkspaceEdit(changes=edits),
            )
        )
    return actions


def create_server() -> Any:
    """The language server, its handlers registered."""
    server = LanguageServer("losslint", __version__)
    linter = Linter()
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="losslint")  # one analysis at a time
    pending: Dict[str, asyncio.TimerHandle] = {}
    results: Dict[str, Analysis] = {}
    lock = threading.Lock()

    def python_document(uri: str) -> Optional[str]:
        path = to_fs_path(uri) if uri.startswith("file:") else None
        return os.path.abspath(path) if path and path.endswith(PYTHON_SUFFIXES) else None

    def open_buffers() -> Dict[str, str]:
        buffers = {}
        for uri, document in list(server.workspace.text_documents.items()):
            path = python_document(uri)
            if path is not None:
                buffers[path] = document.source
        return buffers

    async def analyse(uri: str) -> None:
        pending.pop(uri, None)
        path = python_document(uri)
        if path is None or uri not in server.workspace.text_documents:
            return
        document = server.workspace.get_text_document(uri)
        version, text = document.version, document.source
        buffers = open_buffers()  # taken here: the worker never reads the workspace
        loop = asyncio.get_running_loop()

        def work() -> Tuple[List[Diagnostic], Dict[str, List[str]], List[str]]:
            with lock:
                try:
                    return linter.lint(path, text, buffers)
                except Exception as error:  # noqa: BLE001 - a bug in losslint must not end the server
                    return [], {}, [f"losslint: internal error while analysing {path}: {type(error).__name__}: {error} (please report)"]

        found, lines, notes = await loop.run_in_executor(worker, work)
        for note in notes:
            server.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Warning, message=note))
        if uri not in server.workspace.text_documents or server.workspace.get_text_document(uri).version != version:
            return  # changed or closed meanwhile: a newer analysis is on its way
        codec = server.workspace.position_codec
        analysis = Analysis(version, [(to_lsp(codec, d, lines), d) for d in found], lines)
        results[uri] = analysis
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[shown for shown, _ in analysis.diagnostics], version=version)
        )

    def schedule(uri: str, delay: float) -> None:
        handle = pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_running_loop()
        pending[uri] = loop.call_later(delay, lambda: asyncio.ensure_future(analyse(uri)))

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(params: Any) -> None:
        schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(params: Any) -> None:
        schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(params: Any) -> None:
        # what is on disk changed: every open file may read it through its imports
        for uri in sorted(server.workspace.text_documents):
            schedule(uri, 0 if uri == params.text_document.uri else DEBOUNCE_SECONDS)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(params: Any) -> None:
        uri = params.text_document.uri
        handle = pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        results.pop(uri, None)
        server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix], resolve_provider=False),
    )
    def code_action(params: Any) -> List[Any]:
        uri = params.text_document.uri
        analysis = results.get(uri)
        if analysis is None or uri not in server.workspace.text_documents:
            return []
        if server.workspace.get_text_document(uri).version != analysis.version:
            return []  # the findings are of an older text: their edits would not apply
        return code_actions(server.workspace.position_codec, analysis, params.range)

    return server


def serve() -> None:
    """Speak LSP over standard input and output until the client exits."""
    if lsp is None:
        sys.stderr.write(
            "losslint server needs pygls, installed with losslint's 'lsp' extra: "
            'pip install "losslint-torch[lsp] @ git+https://github.com/losslint/losslint@<commit>" (README, Editors)\n'
        )
        sys.exit(2)
    create_server().start_io()
