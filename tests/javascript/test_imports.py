"""Helpers in other modules of the project: relative imports and tsconfig `paths`."""

from __future__ import annotations

from pathlib import Path

from leak_lsp.analysis import analyze_file
from leak_lsp.javascript.imports import resolve_specifier

TSCONFIG = """{
  // comments and trailing commas, as tsc accepts them
  "compilerOptions": {
    "baseUrl": ".",
    "paths": { "@lib/*": ["src/lib/*"], },
  },
}
"""
HELPER = "export function startFlusher(): void {\n  setInterval(() => console.log('flush'), 1000);\n}\n"
HANDLER = "import { startFlusher } from '@lib/telemetry';\n\nexport const handler = async () => {\n  startFlusher();\n  return 1;\n};\n"


def test_a_tsconfig_path_alias_resolves_to_the_project_file(tmp_path: Path) -> None:
    (tmp_path / "tsconfig.json").write_text(TSCONFIG, encoding="utf-8")
    (tmp_path / "src" / "lib").mkdir(parents=True)
    (tmp_path / "src" / "lib" / "telemetry.ts").write_text(HELPER, encoding="utf-8")
    assert resolve_specifier(tmp_path / "src", "@lib/telemetry") == (tmp_path / "src" / "lib" / "telemetry.ts").resolve()
    assert resolve_specifier(tmp_path / "src", "@aws-sdk/client-s3") is None


def test_a_leak_in_an_aliased_helper_is_reported_where_the_handler_calls_it(tmp_path: Path) -> None:
    (tmp_path / "tsconfig.json").write_text(TSCONFIG, encoding="utf-8")
    (tmp_path / "src" / "lib").mkdir(parents=True)
    helper = tmp_path / "src" / "lib" / "telemetry.ts"
    helper.write_text(HELPER, encoding="utf-8")
    (tmp_path / "src" / "handler.ts").write_text(HANDLER, encoding="utf-8")
    report = analyze_file(tmp_path / "src" / "handler.ts")
    [finding] = report.findings
    assert (finding.code, finding.span.start.line) == ("EL102", 3)
    assert str(helper.resolve()) in report.dependencies
    assert any(related.path == str(helper.resolve()) for related in finding.related)


def test_a_js_specifier_of_a_typescript_source_resolves_to_the_ts_file(tmp_path: Path) -> None:
    (tmp_path / "util.ts").write_text(HELPER, encoding="utf-8")
    assert resolve_specifier(tmp_path, "./util.js") == (tmp_path / "util.ts").resolve()
