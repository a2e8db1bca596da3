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


APP_TEMPLATE = TEMPLATE.replace("src/stream.run", "src/app.handler")


def _deploy(root: Path, runtime: str, name: str, source: str) -> list[str]:
    (root / "template.yaml").write_text(APP_TEMPLATE.format(runtime=runtime), encoding="utf-8")
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / name).write_text(source, encoding="utf-8")
    return _analyse(root, f"src/{name}")


CALLBACK_HANDLER = "exports.handler = (event, context, callback) => {\n  callback(null, event.id);\n};\n"


@pytest.mark.parametrize(("runtime", "codes"), [("nodejs22.x", []), ("nodejs24.x", ["EL154"])])
def test_a_callback_handler_is_refused_at_init_on_nodejs24(tmp_path: Path, runtime: str, codes: list[str]) -> None:
    assert _deploy(tmp_path, runtime, "app.js", CALLBACK_HANDLER) == codes


def test_the_refusal_is_reported_on_the_callback_parameter(tmp_path: Path) -> None:
    _deploy(tmp_path, "nodejs24.x", "app.js", CALLBACK_HANDLER)
    report = analyze_file(tmp_path / "src" / "app.js", Settings(), Workspace(tmp_path, find_deployments=True))
    [finding] = report.findings
    column = CALLBACK_HANDLER.index("callback)")
    assert (finding.span.start.line, finding.span.start.column, finding.span.end.column) == (0, column, column + 8)
    assert "nodejs24.x" in finding.message and "`callback`" in finding.message


def test_an_async_typescript_handler_with_an_unused_callback_is_refused_too(tmp_path: Path) -> None:
    source = "export const handler = async (event: E, context: C, callback: CB) => {\n  return event.id;\n};\n"
    assert _deploy(tmp_path, "nodejs24.x", "app.ts", source) == ["EL154"]


@pytest.mark.parametrize("parameters", ["event, context, callback = () => {}", "event, context, ...rest", "event, context"])
def test_parameters_that_function_length_does_not_count_pass(tmp_path: Path, parameters: str) -> None:
    source = f"exports.handler = async ({parameters}) => event.id;\n"
    assert _deploy(tmp_path, "nodejs24.x", "app.js", source) == []


def test_a_wrapped_callback_handler_is_not_judged_by_the_inner_function(tmp_path: Path) -> None:
    source = "const middy = require('@middy/core');\nexports.handler = middy((event, context, callback) => callback(null, 1));\n"
    assert _deploy(tmp_path, "nodejs24.x", "app.js", source) == []


def test_a_handler_the_deployment_does_not_name_is_not_judged_by_its_runtime(tmp_path: Path) -> None:
    assert _deploy(tmp_path, "nodejs24.x", "app.js", CALLBACK_HANDLER.replace("exports.handler", "exports.other")) == []


DONE_IN_TIMER = """\
exports.handler = function (event, context) {
  setTimeout(() => context.succeed({ statusCode: 200 }), 100);
};
"""
DONE_BEFORE_TIMER = """\
exports.handler = function (event, context) {
  setTimeout(() => console.log("late"), 100);
  context.succeed({ statusCode: 200 });
};
"""


@pytest.mark.parametrize(("runtime", "codes"), [("nodejs20.x", []), ("nodejs24.x", ["EL102"])])
def test_context_done_inside_a_timer_ends_the_invocation_before_nodejs24(tmp_path: Path, runtime: str,
                                                                          codes: list[str]) -> None:
    """v3 waits for ``context.succeed`` (NODE.md R5); v4 posts the handler's ``undefined`` at once (§1.2)."""
    assert _deploy(tmp_path, runtime, "app.js", DONE_IN_TIMER) == codes


def test_a_runtime_no_deployment_names_is_taken_as_the_strictest(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.js").write_text(DONE_IN_TIMER, encoding="utf-8")
    assert _analyse(tmp_path, "src/app.js") == ["EL102"]


@pytest.mark.parametrize("runtime", ["nodejs20.x", "nodejs24.x"])
def test_context_done_before_the_work_leaks_on_every_runtime(tmp_path: Path, runtime: str) -> None:
    assert _deploy(tmp_path, runtime, "app.js", DONE_BEFORE_TIMER) == ["EL152"]


CDK_STACK = """\
import * as path from "path";
import * as lambda from "aws-cdk-lib/aws-lambda";

new lambda.Function(this, "job", {{
  runtime: lambda.Runtime.{runtime},
  handler: "nightly.process",
  code: lambda.Code.fromAsset({asset}),
}});
"""


@pytest.mark.parametrize(("asset", "stack_folder"), [('"jobs"', "lib"), ('path.join(__dirname, "../jobs")', "lib")])
def test_a_function_of_a_typescript_cdk_app_is_a_handler_whatever_its_name(tmp_path: Path, asset: str,
                                                                           stack_folder: str) -> None:
    (tmp_path / "cdk.json").write_text('{"app": "npx ts-node lib/app.ts"}', encoding="utf-8")
    (tmp_path / stack_folder).mkdir()
    (tmp_path / stack_folder / "app.ts").write_text(CDK_STACK.format(runtime="NODEJS_20_X", asset=asset), encoding="utf-8")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "nightly.js").write_text(JOB, encoding="utf-8")
    (tmp_path / "jobs" / "other.js").write_text(JOB, encoding="utf-8")
    assert _analyse(tmp_path, "jobs/nightly.js") == ["EL102"]
    assert _analyse(tmp_path, "jobs/other.js") == []


@pytest.mark.parametrize(("runtime", "codes"), [("NODEJS_16_X", []), ("NODEJS_24_X", ["EL106"])])
def test_the_runtime_a_cdk_app_names_selects_the_semantics(tmp_path: Path, runtime: str, codes: list[str]) -> None:
    (tmp_path / "stack.ts").write_text(CDK_STACK.format(runtime=runtime, asset='"."').replace("nightly.process", "relay.handler"),
                                       encoding="utf-8")
    (tmp_path / "relay.js").write_text("exports.handler = (event) => {\n  fetch(event.url);\n};\n", encoding="utf-8")
    assert _analyse(tmp_path, "relay.js") == codes


def test_the_cdk_app_naming_a_module_is_a_dependency_of_its_report(tmp_path: Path) -> None:
    stack = tmp_path / "stack.ts"
    stack.write_text(CDK_STACK.format(runtime="NODEJS_16_X", asset='"."').replace("nightly.process", "relay.handler"),
                     encoding="utf-8")
    (tmp_path / "relay.js").write_text("exports.handler = (event) => {\n  fetch(event.url);\n};\n", encoding="utf-8")
    report = analyze_file(tmp_path / "relay.js", Settings(), Workspace(tmp_path, find_deployments=True))
    assert str(stack.resolve()) in report.dependencies
