"""Node handlers named in deployment files, and the runtime version deciding the semantics."""

from __future__ import annotations

from pathlib import Path

import pytest

from leak_lsp.analysis import analyze_file
from leak_lsp.analysis.config import Settings
from leak_lsp.project.workspace import Workspace

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Streamer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: src/stream.run
      Runtime: {runtime}
      CodeUri: .
"""
SERVERLESS = """\
service: jobs
provider:
  name: aws
  runtime: nodejs22.x
functions:
  nightly:
    handler: jobs/nightly.process
"""
STREAMING = """\
export const run = awslambda.streamifyResponse(async (request, responseStream) => {
  setTimeout(() => console.log("late"), 10);
  responseStream.end("done");
});
"""
JOB = "exports.process = async (job) => {\n  setInterval(() => console.log(job), 1000);\n  return 1;\n};\n"


def _analyse(root: Path, relative: str) -> list[str]:
    report = analyze_file(root / relative, Settings(), Workspace(root, find_deployments=True))
    return [finding.code for finding in report.findings]


@pytest.mark.parametrize(("runtime", "codes"), [("nodejs20.x", []), ("nodejs24.x", ["EL102"])])
def test_a_streaming_handler_leaks_on_nodejs24_only(tmp_path: Path, runtime: str, codes: list[str]) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(runtime=runtime), encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "stream.mjs").write_text(STREAMING, encoding="utf-8")
    assert _analyse(tmp_path, "src/stream.mjs") == codes


def test_a_function_named_in_serverless_yml_is_a_handler_whatever_its_name(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(SERVERLESS, encoding="utf-8")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "nightly.js").write_text(JOB, encoding="utf-8")
    (tmp_path / "jobs" / "other.js").write_text(JOB, encoding="utf-8")
    assert _analyse(tmp_path, "jobs/nightly.js") == ["EL102"]
    assert _analyse(tmp_path, "jobs/other.js") == []
