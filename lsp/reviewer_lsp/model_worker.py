"""The model tier for open buffers: one worker thread (two inferences at once
would only fight over the CPU), started after the buffer has been idle for
the debounce delay or on save. A newer edit cancels the pending run, and a
result computed for an older version of the buffer is thrown away.

Score, then explain, in two publishes: a line the scorer flags is shown as
soon as it is scored, and again with the model's sentence once written."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from lsprotocol import types

from reviewer.change_history import buffer_history, build_cache
from reviewer.config import Config
from reviewer.diff import ChangeSet, split_lines
from reviewer.engine import review
from reviewer.errors import ReviewerError
from reviewer.findings import Finding
from reviewer.languages import comment_tokens
from reviewer.scorer.assemble import build_scorer, tier_for, wanted
from reviewer.suppress import is_suppressed
from reviewer_lsp.diagnostics import risk_messages
from reviewer_lsp.settings import Settings

PROGRESS_CREATE_TIMEOUT = 5.0  # seconds to wait for the client to accept a progress token

if TYPE_CHECKING:
    from pygls.progress import Progress

    from reviewer.scorer.tier import Scorer, ScoringTier
    from reviewer_lsp.documents import Document


class Host(Protocol):
    """What the worker needs of the server (the server module imports this
    one, so it is described here rather than imported)."""

    settings: Settings
    documents: dict[str, Document]
    model_findings: dict[str, tuple[int, tuple[Finding, ...]]]
    lock: AbstractContextManager[Any]
    event_loop: asyncio.AbstractEventLoop | None

    @property
    def work_done_progress(self) -> Progress: ...

    @property
    def client_capabilities(self) -> types.ClientCapabilities: ...

    def log(self, message: str) -> None: ...

    def config(self, root: Path) -> Config: ...

    def baseline(self, root: Path, config: Config) -> frozenset[str]: ...

    def publish(self, document: Document) -> None: ...


class ModelWorker:
    def __init__(self, server: Host) -> None:
        self.server = server
        self.timers: dict[str, threading.Timer] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reviewer-model")
        self.scorer: Scorer | None = None
        # The settings the scorer was built from: other settings (another
        # root, a config that changed or lost its trust) build another one,
        # so a server chosen by an old config is never reached again.
        self.scorer_settings: str | None = None
        self.unavailable: str | None = None  # why there is no model (said once)
        self.discarded = 0  # results dropped because the buffer had moved on
        self.running: tuple[str, int] | None = None  # (uri, version) in the worker now
        self.runs = itertools.count(1)  # progress tokens must be new each time
        # The history cache builds started, one per repository at most.
        self.history_builds: dict[Path, threading.Thread] = {}

    def schedule(self, document: Document, *, on_save: bool) -> None:
        editor = self.server.settings.editor
        if editor.model_trigger == "off" or (editor.model_trigger == "save") != on_save:
            return
        if self.unavailable is not None:
            return
        self.cancel(document.uri)
        if self.scorer is not None and self._running_older_than(document):
            self.scorer.interrupt()  # its answer would be for an older text
        delay = 0.0 if on_save else editor.debounce_ms / 1000
        timer = threading.Timer(delay, self._submit, (document.uri, document.version))
        timer.daemon = True
        self.timers[document.uri] = timer
        timer.start()

    def _running_older_than(self, document: Document) -> bool:
        running = self.running
        return running is not None and running[0] == document.uri and running[1] != document.version

    def cancel(self, uri: str) -> None:
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def stop(self) -> None:
        """On shutdown: stop the running inference, then free the model (in
        that order: freeing it under a running inference crashes)."""
        for uri in list(self.timers):
            self.cancel(uri)
        if self.scorer is not None:
            self.scorer.interrupt()
        self.executor.shutdown(wait=True, cancel_futures=True)
        if self.scorer is not None:
            self.scorer.close()

    # -- the worker -----------------------------------------------------------

    def _submit(self, uri: str, version: int) -> None:
        self.executor.submit(self._run_guarded, uri, version)

    def _run_guarded(self, uri: str, version: int) -> None:
        self.running = (uri, version)
        try:
            self._run(uri, version)
        except Exception as error:  # a model failure never takes the server down
            self._call(self.server.log, f"reviewer: model review failed: {error}")
        finally:
            self.running = None

    def _run(self, uri: str, version: int) -> None:
        server = self.server
        with server.lock:
            document = server.documents.get(uri)
            if document is None or document.version != version:
                return  # closed, or edited again since: a newer run is scheduled
            change_set = document.change_set()
            config = server.config(document.root)
            root = document.root
            baseline = server.baseline(root, config)
        tier = self._tier(config, root, uri, version)
        if tier is None:
            return
        token = self._progress_begin(f"reviewer-model-{next(self.runs)}", document.path)
        try:
            # Here on the worker, never on a keystroke: the change's metrics
            # from the history behind HEAD (cached per repository).
            history = self._history(change_set) if tier.scorer.change is not None else None
            report = review(
                change_set, config, producers=(tier,), baseline=baseline, history=history
            )
        finally:
            if token is not None:
                self._progress_end(token)
        with server.lock:
            current = server.documents.get(uri)
            if current is None or current.version != version:
                self.discarded += 1
                self._call(server.log, f"reviewer: model result for version {version} dropped")
                return
            server.model_findings[uri] = (version, report.findings)
            self._call(server.publish, current)
        for message in risk_messages(report):
            self._call(server.log, message)
        for note in report.notes:  # e.g. sentences withheld, a budget reached
            if note.startswith("model:"):
                self._call(server.log, f"reviewer: {note}")

    def _history(self, change_set: ChangeSet) -> dict[str, float] | None:
        """The buffer's change metrics from the repository's history cache.
        A repository met for the first time has its cache built on a
        thread of its own (it reads the whole history once): this run and
        those until it is done go without the metrics rather than wait."""
        history = buffer_history(change_set, build=False)
        root = change_set.root
        if history is None and root not in self.history_builds:
            builder = threading.Thread(
                target=self._build_history, args=(root,), name="reviewer-history", daemon=True
            )
            self.history_builds[root] = builder
            builder.start()
        return history

    def _build_history(self, root: Path) -> None:
        try:
            build_cache(root)
        except Exception as error:  # the cache is a speed-up: its failure is only logged
            self._call(self.server.log, f"reviewer: history cache not built: {error}")

    def config_changed(self) -> None:
        """A config was read again: the model may be available now."""
        self.unavailable = None

    def _tier(self, config: Config, root: Path, uri: str, version: int) -> ScoringTier | None:
        relative_to_root = config.model.head or config.model.path
        settings = config.model.model_dump_json() + (f"\n{root}" if relative_to_root else "")
        if self.scorer is not None and self.scorer_settings != settings:
            self._call(self.server.log, "reviewer: the model settings changed; rebuilding")
            self.scorer.close()
            self.scorer, self.unavailable = None, None
        if self.scorer is not None and self.scorer.changed_on_disk():
            # Replaced while the server ran: never score with the old file's
            # state; resolve (and so verify) it again.
            self._call(self.server.log, "reviewer: the model file changed on disk; reloading")
            self.scorer.close()
            self.scorer, self.unavailable = None, None
        if self.scorer is None:
            try:
                scorer, notices = (
                    (None, [])
                    if wanted(config.model, None) is False
                    else build_scorer(config, root=root)
                )
            except ReviewerError as error:
                scorer, notices = None, [str(error)]
            if scorer is None:
                self.unavailable = (notices or ["model: off"])[0]
                self._call(self.server.log, f"reviewer: {self.unavailable}")
                return None
            for notice in notices:  # e.g. settings that no longer do anything
                self._call(self.server.log, f"reviewer: {notice}")
            self.scorer, self.scorer_settings = scorer, settings
        return tier_for(
            self.scorer, config.model, on_flag=lambda finding: self._flagged(uri, version, finding)
        )

    def _flagged(self, uri: str, version: int, finding: Finding) -> None:
        """The first of the two publishes: the flagged line, before the model
        has written its sentence (unless the line suppresses it)."""
        server = self.server
        with server.lock:
            current = server.documents.get(uri)
            if current is None or current.version != version:
                return
            if is_suppressed(finding, split_lines(current.text), comment_tokens(current.path)):
                return
            shown = server.model_findings.get(uri, (version, ()))
            earlier = shown[1] if shown[0] == version else ()
            server.model_findings[uri] = (version, (*earlier, finding))
            self._call(server.publish, current)

    def _call(self, function: Callable[..., Any], *args: Any) -> None:
        """Run on the server's event loop: the protocol is not thread-safe."""
        loop = self.server.event_loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(function, *args)

    def _progress_begin(self, token: str, path: str) -> str | None:
        """Create the progress token and begin it; the token, or None when the
        client has no progress bar or did not accept the token in time.

        Runs on the worker thread and waits for the client's answer to
        `window/workDoneProgress/create`: the protocol forbids `$/progress`
        for a token the client has not accepted, and begin/end then go out in
        order from this one thread."""
        window = self.server.client_capabilities.window
        loop = self.server.event_loop
        if window is None or not window.work_done_progress or loop is None or loop.is_closed():
            return None
        progress = self.server.work_done_progress
        try:
            created = asyncio.run_coroutine_threadsafe(progress.create_async(token), loop)
            created.result(timeout=PROGRESS_CREATE_TIMEOUT)
        except Exception as error:  # no answer, or an error: review without a bar
            self._call(self.server.log, f"reviewer: no progress bar ({error or 'no answer'})")
            return None
        begin = types.WorkDoneProgressBegin(title="reviewer", message=f"model reviewing {path}")
        self._call(progress.begin, token, begin)
        return token

    def _progress_end(self, token: str) -> None:
        progress = self.server.work_done_progress

        def end() -> None:
            progress.end(token, types.WorkDoneProgressEnd(message="done"))
            progress.tokens.pop(token, None)  # pygls keeps every token otherwise

        self._call(end)
