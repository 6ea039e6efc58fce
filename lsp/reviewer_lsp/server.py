"""The language server: structural diagnostics on every change (the engine,
an incremental parse), model diagnostics from a worker once the buffer is
idle, quick fixes, and settings. No handler lets an exception escape: a bad
document, setting or model failure is logged and the server keeps serving."""

from __future__ import annotations

import asyncio
import functools
import gc
import threading
import traceback
from collections.abc import Callable, Generator, Hashable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from reviewer import __version__
from reviewer.baseline import active_baseline, baseline_path
from reviewer.checks.catalog import checks_for
from reviewer.config import Config
from reviewer.engine import StructuralChecks, review
from reviewer.errors import ReviewerError
from reviewer.findings import Finding
from reviewer.scorer.assemble import wanted
from reviewer_lsp.diagnostics import code_actions, moved, to_diagnostic
from reviewer_lsp.documents import Document
from reviewer_lsp.model_worker import ModelWorker
from reviewer_lsp.settings import DEFAULT, Settings, config_for, config_stamp, parse_settings
from reviewer_lsp.text import UTF16
from reviewer_lsp.unit_cache import CachedScopes, CachedUnitChecks

Handler = TypeVar("Handler", bound=Callable[..., Any])
# How long a review waits for more edits before it runs. Zero still
# coalesces: the review runs after every message already read (a burst of
# keystrokes, an editor's multi-cursor change) has been applied, and a 1 ms
# wait cost every lone keystroke more than a millisecond of timer slack.
COALESCE_SECONDS = 0.0


class OwnDocumentsProtocol(LanguageServerProtocol):
    """pygls's protocol without its own copy of each open document: the
    server keeps the only one (`Document`), so an edit is applied once."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def _user_handler(self, method: str, params: Any) -> Generator[Any, Any, None]:
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None


class ReviewerServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("reviewer", __version__, protocol_cls=OwnDocumentsProtocol)
        self.documents: dict[str, Document] = {}
        self.settings: Settings = DEFAULT
        self.structural: dict[str, tuple[Finding, ...]] = {}
        self.model_findings: dict[str, tuple[int, tuple[Finding, ...]]] = {}
        # Each root's config, and the files' state it was read from (config_stamp).
        self.configs: dict[Path, tuple[Hashable, Config]] = {}
        self.baselines: dict[Path, tuple[int | None, frozenset[str]]] = {}
        self.unit_checks = CachedUnitChecks()
        self.scopes = CachedScopes()
        self.published: dict[str, dict[Hashable, tuple[int, dict[str, Any]]]] = {}
        self.json = default_converter()  # type: ignore[no-untyped-call]
        self.model = ModelWorker(self)
        self.lock = threading.RLock()  # documents are read by the model worker too
        self.event_loop: asyncio.AbstractEventLoop | None = None
        self.pending_reviews: dict[str, asyncio.TimerHandle] = {}
        self.too_large: set[str] = set()  # documents told to be over max_file_bytes

    # -- called by the handlers and the model worker -------------------------

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def tell(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def config(self, root: Path) -> Config:
        stamp = config_stamp(root)
        known = self.configs.get(root)
        if known is None or known[0] != stamp:
            config, notice, problem = config_for(root, self.settings)
            if problem:
                self.tell(f"reviewer: {problem}; using the defaults")
            if notice and wanted(config.model, None) is not False:
                # Only when the model could run: off, the ignored settings change nothing.
                self.tell(f"reviewer: {notice}", types.MessageType.Info)
            known = self.configs[root] = (stamp, config)
            self.baselines.pop(root, None)  # the config may name another baseline
            self.model.config_changed()
        return known[1]

    def baseline(self, root: Path, config: Config) -> frozenset[str]:
        """The findings the project accepted, as `reviewer diff` hides them;
        re-read when the file changes on disk."""
        path = baseline_path(root, config)
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            stamp = None
        known = self.baselines.get(root)
        if known is None or known[0] != stamp:
            try:
                fingerprints = active_baseline(root, config, disabled=False)
            except ReviewerError as error:
                self.tell(f"reviewer: {error}; showing every finding")
                fingerprints = frozenset()
            known = self.baselines[root] = (stamp, fingerprints)
        return known[1]

    def review_structural(self, document: Document) -> None:
        config = self.config(document.root)
        if _too_large(document.text, config.max_file_bytes):
            # As `reviewer diff` sets such a file aside: reviewing a 5 MB
            # buffer on each keystroke would stall the server for minutes.
            if document.uri not in self.too_large:
                self.too_large.add(document.uri)
                self.log(f"reviewer: {document.path} is over max_file_bytes; not reviewed")
            self.structural[document.uri] = ()
            self.publish(document)
            return
        self.too_large.discard(document.uri)
        parsed = document.parse()
        baseline = self.baseline(document.root, config)
        # A fingerprint counts identical findings over the whole file, so with
        # a baseline to match, the checks must see the whole file as the CLI does.
        report = review(
            document.change_set(),
            config,
            producers=(StructuralChecks() if baseline else self.unit_checks,),
            scope_finder=self.scopes,
            parsed_files={document.path: parsed},
            baseline=baseline,
        )
        self.structural[document.uri] = report.findings
        self.publish(document)

    def review_soon(self, document: Document) -> None:
        """Review after the edits already waiting have been applied: typing
        faster than a review runs costs one review per burst, not a backlog."""
        pending = self.pending_reviews.pop(document.uri, None)
        if pending is not None:
            pending.cancel()
        if self.event_loop is None:
            self.review_structural(document)
            return

        def run() -> None:
            self.pending_reviews.pop(document.uri, None)
            try:
                with self.lock:
                    if self.documents.get(document.uri) is document:
                        self.review_structural(document)
            except Exception as error:  # never let a review kill the loop
                self.log(f"reviewer: review failed: {error}", types.MessageType.Error)

        self.pending_reviews[document.uri] = self.event_loop.call_later(COALESCE_SECONDS, run)

    def publish(self, document: Document) -> None:
        findings = list(self.structural.get(document.uri, ()))
        version, model = self.model_findings.get(document.uri, (-1, ()))
        if version == document.version:
            findings.extend(model)
        lines, encoding = document.buffer.lines, document.buffer.encoding
        # A diagnostic's JSON is kept while its finding and lines stay the
        # same, wherever an edit above moves them: most of a long change's
        # diagnostics do, edit after edit.
        known = self.published.get(document.uri, {})
        fresh: dict[Hashable, tuple[int, dict[str, Any]]] = {}
        for finding in findings:
            key = (
                _unplaced(finding),
                _line(lines, finding.line),
                _line(lines, finding.end_line),
            )
            line, shown = known.get(key, (0, None))
            if shown is None:
                diagnostic = to_diagnostic(finding, document.uri, lines, encoding)
                shown = self.json.unstructure(diagnostic)
            elif line != finding.line:
                shown = moved(shown, finding.line, finding.end_line)
            fresh[key] = (finding.line, shown)
        self.published[document.uri] = fresh
        # Sent as plain JSON: the protocol's converter would unstructure every
        # diagnostic again on each publish.
        params = {"uri": document.uri, "version": document.version}
        self.protocol._send_data(
            {
                "jsonrpc": "2.0",
                "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
                "params": {**params, "diagnostics": [shown for _, shown in fresh.values()]},
            }
        )


def _unplaced(finding: Finding) -> Hashable:
    """What a diagnostic shows of a finding, but for the lines it is on."""
    return (
        finding.rule_id,
        finding.message,
        finding.suggestion,
        finding.fingerprint,
        finding.severity,
        finding.source,
        finding.confidence,
        finding.column,
        finding.end_column,
        finding.end_line - finding.line,
    )


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 1 <= number <= len(lines) else ""


def _too_large(text: str, limit: int) -> bool:
    """More than `limit` bytes in UTF-8 (encoding only when it could be)."""
    if len(text) > limit:
        return True
    return len(text) * 4 > limit and len(text.encode("utf-8", "surrogatepass")) > limit


def guarded(server: ReviewerServer) -> Callable[[Handler], Handler]:
    """Run a handler; on any exception, log it and carry on."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def safe(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except Exception as error:  # the server never dies on one request
                server.log(
                    f"reviewer: {handler.__name__} failed: {error}\n{traceback.format_exc()}",
                    types.MessageType.Error,
                )
                return None

        return safe  # type: ignore[return-value]

    return wrap


def build_server() -> ReviewerServer:
    server = ReviewerServer()
    safe = guarded(server)

    def apply_settings(raw: Any) -> None:
        try:
            server.settings = parse_settings(raw)
        except ValueError as error:
            server.settings = DEFAULT
            server.tell(f"reviewer: {error}; using the defaults")
        server.configs.clear()
        server.baselines.clear()

    @server.feature(types.INITIALIZE)
    @safe
    def initialize(ls: ReviewerServer, params: types.InitializeParams) -> None:
        # The model worker hands its results back to this loop (the protocol
        # is not thread-safe).
        ls.event_loop = asyncio.get_running_loop()
        apply_settings(params.initialization_options)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @safe
    def changed_configuration(
        ls: ReviewerServer, params: types.DidChangeConfigurationParams
    ) -> None:
        apply_settings(params.settings)
        with ls.lock:
            for document in ls.documents.values():
                ls.review_structural(document)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @safe
    def did_open(ls: ReviewerServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        file = Path(to_fs_path(item.uri) or item.uri)
        with ls.lock:
            encoding = ls.workspace.position_encoding or UTF16
            document = Document.open(item.uri, file, item.text, item.version, encoding)
            ls.documents[item.uri] = document
            ls.review_structural(document)
            if document.parsed is not None and document.parsed.spec is not None:
                # Compile the language's checks now, after the first publish,
                # not on the first keystroke (50-250 ms once per language).
                checks_for(document.parsed.spec)
        # What start-up and the first review built (compiled checks, the
        # tree, caches) lives as long as the server: keep it out of the
        # cyclic collector's way, whose full passes over it were the slowest
        # keystrokes.
        gc.freeze()
        ls.model.schedule(document, on_save=False)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @safe
    def did_change(ls: ReviewerServer, params: types.DidChangeTextDocumentParams) -> None:
        with ls.lock:
            document = ls.documents.get(params.text_document.uri)
            if document is None:
                return
            for change in params.content_changes:
                document.apply(change, params.text_document.version)
        ls.review_soon(document)
        ls.model.schedule(document, on_save=False)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @safe
    def did_save(ls: ReviewerServer, params: types.DidSaveTextDocumentParams) -> None:
        with ls.lock:
            document = ls.documents.get(params.text_document.uri)
            if document is None:
                return
            document.refresh_head()
            ls.review_structural(document)  # a saved config file is read again (config_stamp)
        ls.model.schedule(document, on_save=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @safe
    def did_close(ls: ReviewerServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        with ls.lock:
            ls.documents.pop(uri, None)
            ls.structural.pop(uri, None)
            ls.model_findings.pop(uri, None)
            ls.published.pop(uri, None)
            ls.too_large.discard(uri)
        ls.model.cancel(uri)
        pending = ls.pending_reviews.pop(uri, None)
        if pending is not None:
            pending.cancel()
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    @safe
    def code_action(ls: ReviewerServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        with ls.lock:
            document = ls.documents.get(params.text_document.uri)
            if document is None:
                return []
            lines, encoding = document.buffer.lines, document.buffer.encoding
            return [
                action
                for diagnostic in params.context.diagnostics
                for action in code_actions(document.uri, document.path, lines, diagnostic, encoding)
            ]

    @server.feature(types.SHUTDOWN)
    @safe
    def shutdown(ls: ReviewerServer, params: None) -> None:
        ls.model.stop()

    return server
