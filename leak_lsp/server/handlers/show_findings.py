"""``leak-lsp.showFindings`` (workspace/executeCommand), run by an entry point's code lens.

A server-side command works in every client that runs a lens's command through
``workspace/executeCommand`` (vscode-languageclient and Neovim do). It answers with
the findings' locations, shows the first one (``window/showDocument``, when the client
supports it) and lists them all in a ``window/showMessage``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from leak_lsp.analysis.model import FileReport, Finding
from leak_lsp.server.app import LeakLanguageServer  # at run time: pygls reads the command's type hints

logger = logging.getLogger(__name__)

SHOW_FINDINGS = "leak-lsp.showFindings"


def findings_of(report: FileReport, handler: str) -> list[Finding]:
    return [finding for finding in report.findings if finding.handler == handler]


def findings_message(handler: str, findings: list[Finding]) -> str:
    """One line (editors show a message on one line): "`h`: 2 findings: line 9: EL101 …; line 12: …"."""
    count = f"{len(findings)} finding" + ("s" if len(findings) > 1 else "") if findings else "no findings"
    listed = "; ".join(f"line {finding.span.start.line + 1}: {finding.code} {finding.message}" for finding in findings)
    return f"`{handler}`: {count}" + (f": {listed}" if listed else "")


async def show_findings(ls: LeakLanguageServer, uri: str, handler: str) -> list[dict[str, Any]]:
    """The findings of one entry point of an open document, as locations with code and message."""
    session = ls.require_session()
    document = session.documents.get(uri)
    if document is None or not document.in_sync:
        raise JsonRpcInvalidParams(f"{uri} is not open")
    analysis = await session.analysis(document)
    findings = findings_of(analysis.report, handler)
    ranges = [session.codec.range_to_client(analysis.index, finding.span) for finding in findings]
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=findings_message(handler, findings)))
    if ranges and session.features.show_document:
        await _show(ls, types.ShowDocumentParams(uri=uri, take_focus=True, selection=ranges[0]))
    converter = ls.protocol._converter
    return [
        {"uri": uri, "range": converter.unstructure(client_range), "code": finding.code, "message": finding.message}
        for finding, client_range in zip(findings, ranges)
    ]


async def _show(ls: LeakLanguageServer, params: types.ShowDocumentParams) -> None:
    try:
        # Shielded: a late reply to a cancelled request would break pygls 2.1.1 (issue #621).
        await asyncio.shield(ls.window_show_document_async(params))
    except Exception as error:  # the client could not show it; the message still lists the findings
        logger.warning("window/showDocument failed: %s", error)


def register(server: LeakLanguageServer) -> None:
    server.command(SHOW_FINDINGS)(show_findings)
