"""textDocument/codeLens: above each entry point, where it came from and how many
findings it has; the lens runs ``leak-lsp.showFindings`` (see show_findings.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from leak_lsp.analysis.model import FileReport, Handler
from leak_lsp.server.handlers.show_findings import SHOW_FINDINGS, findings_of

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer

PLATFORMS = {
    "aws-lambda": "AWS Lambda handler",
    "azure-functions": "Azure Functions entry point",
    "gcp-functions": "Cloud Functions entry point",
    "configured": "Entry point",
}


async def code_lens(ls: LeakLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    session = ls.require_session()
    document = session.documents.get(params.text_document.uri)
    if document is None or not document.in_sync or not document.is_python:
        return []
    analysis = await session.analysis(document)
    return [
        types.CodeLens(
            range=session.codec.range_to_client(analysis.index, handler.span),
            command=types.Command(title=lens_title(analysis.report, handler), command=SHOW_FINDINGS, arguments=[analysis.uri, handler.name]),
        )
        for handler in analysis.report.handlers
    ]


def lens_title(report: FileReport, handler: Handler) -> str:
    """"AWS Lambda handler · named in template.yaml line 12 (OrdersFunction) · 2 findings"."""
    count = len(findings_of(report, handler.name))
    findings = "no findings" if count == 0 else f"{count} finding" + ("s" if count > 1 else "")
    return f"{PLATFORMS.get(handler.platform, handler.platform)} · {handler.reason} · {findings}"


def register(server: LeakLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))(code_lens)
