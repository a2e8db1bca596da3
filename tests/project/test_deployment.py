"""Entry points read from deployment files, over the small projects in tests/fixtures/projects."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leak_lsp.analysis.model import Span
from leak_lsp.analysis.text import LineIndex
from leak_lsp.project.deployment import (
    DeployedHandler,
    DeploymentProblem,
    find_deployment_files,
    handlers_for,
    is_deployment_file,
    scan_deployments,
)
from leak_lsp.project.hcl import read_blocks
from leak_lsp.project.located import DocumentError, read_json, read_yaml

PROJECTS = Path(__file__).parents[1] / "fixtures" / "projects"


@cache
def scanned(project: str) -> tuple[list[DeployedHandler], list[DeploymentProblem]]:
    return scan_deployments(PROJECTS / project)


def span_of(path: Path, needle: str, after: str = "") -> Span:
    """The span of the first ``needle`` in the file that follows ``after``."""
    text = path.read_text(encoding="utf-8")
    start = text.index(needle, text.index(after) if after else 0)
    lines = LineIndex(text)
    return Span(lines.position(start), lines.position(start + len(needle)))


def handler_named(project: str, name: str) -> DeployedHandler:
    """The handler whose description names ``name`` (a logical id, function or resource)."""
    handlers, _ = scanned(project)
    matching = [handler for handler in handlers if handler.description.endswith(f"({name})")]
    assert len(matching) == 1, [handler.description for handler in handlers]
    return matching[0]


def problem_mentioning(project: str, text: str) -> DeploymentProblem:
    _, problems = scanned(project)
    matching = [problem for problem in problems if text in problem.message]
    assert len(matching) == 1, [problem.message for problem in problems]
    return matching[0]


def mentions(project: str, text: str) -> bool:
    handlers, problems = scanned(project)
    return any(text in handler.description for handler in handlers) or any(text in problem.message for problem in problems)


def write_project(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


# AWS SAM / CloudFormation (YAML)

SAM = PROJECTS / "sam" / "template.yaml"


def test_sam_function_takes_handler_code_uri_and_runtime_from_globals() -> None:
    handler = handler_named("sam", "OrdersFunction")
    assert (handler.module, handler.function, handler.platform) == ((PROJECTS / "sam/src/app.py").resolve(), "lambda_handler", "aws-lambda")


def test_handler_from_globals_is_located_in_the_globals_section() -> None:
    assert handler_named("sam", "OrdersFunction").span == span_of(SAM, "app.lambda_handler", after="Globals:")


def test_function_handler_overrides_globals_and_keeps_the_global_code_uri() -> None:
    handler = handler_named("sam", "ReportsFunction")
    assert (handler.module, handler.function) == ((PROJECTS / "sam/src/app.py").resolve(), "report_handler")


def test_quoted_handler_span_covers_the_text_inside_the_quotes() -> None:
    assert handler_named("sam", "ReportsFunction").span == span_of(SAM, "app.report_handler")


def test_handler_bound_by_assignment_counts_as_defined() -> None:
    handler = handler_named("sam", "UsersFunction")
    assert (handler.module, handler.function) == ((PROJECTS / "sam/users/users.py").resolve(), "handler")


def test_description_says_file_line_and_logical_id() -> None:
    line = span_of(SAM, "users.handler").start.line + 1
    assert handler_named("sam", "UsersFunction").description == f"template.yaml line {line} (UsersFunction)"


def test_sam_missing_function_is_a_problem_on_the_handler_string() -> None:
    problem = problem_mentioning("sam", "process_refund")
    assert (problem.origin, problem.span) == (SAM, span_of(SAM, "app.process_refund"))
    assert problem.message == "handler `app.process_refund`: app.py has no function `process_refund`"


def test_sam_missing_module_problem_names_the_code_folder() -> None:
    problem = problem_mentioning("sam", "billing")
    assert problem.span == span_of(SAM, "billing.handler")
    assert problem.message == "handler `billing.handler`: no module billing.py under src/"


def test_sam_function_with_another_runtime_is_skipped() -> None:
    assert not mentions("sam", "NodeFunction") and not mentions("sam", "index.handler")


def test_sam_function_with_computed_handler_or_code_uri_is_skipped() -> None:
    assert not mentions("sam", "ComputedFunction") and not mentions("sam", "ComputedCodeFunction")


def test_sam_project_yields_only_the_expected_entry_points() -> None:
    handlers, problems = scanned("sam")
    names = sorted(handler.description.rpartition("(")[2].rstrip(")") for handler in handlers)
    assert names == ["OrdersFunction", "ReportsFunction", "UsersFunction"]
    assert len(problems) == 2


# CloudFormation (JSON)

CFN_JSON = PROJECTS / "cloudformation_json" / "template.json"


def test_json_template_lambda_function_with_local_code() -> None:
    handler = handler_named("cloudformation_json", "IngestFunction")
    assert (handler.module, handler.function) == ((PROJECTS / "cloudformation_json/code/ingest.py").resolve(), "main_handler")
    assert handler.span == span_of(CFN_JSON, "ingest.main_handler")


def test_json_template_inline_and_s3_code_are_skipped() -> None:
    assert not mentions("cloudformation_json", "InlineFunction") and not mentions("cloudformation_json", "S3Function")


def test_json_template_missing_function_is_a_problem_on_the_handler_string() -> None:
    problem = problem_mentioning("cloudformation_json", "cleanup")
    assert problem.span == span_of(CFN_JSON, "ingest.cleanup")
    assert problem.message == "handler `ingest.cleanup`: ingest.py has no function `cleanup`"


# Serverless Framework

SERVERLESS = PROJECTS / "serverless" / "serverless.yml"


def test_serverless_handler_path_is_relative_to_the_service_folder() -> None:
    handler = handler_named("serverless", "createUser")
    assert (handler.module, handler.function) == ((PROJECTS / "serverless/src/handlers/users.py").resolve(), "create")
    assert handler.span == span_of(SERVERLESS, "src/handlers/users.create")


def test_serverless_quoted_handler_is_read() -> None:
    assert handler_named("serverless", "listUsers").span == span_of(SERVERLESS, "src/handlers/users.list_all")


def test_serverless_missing_function_is_a_problem() -> None:
    problem = problem_mentioning("serverless", "users.delete")
    assert problem.span == span_of(SERVERLESS, "src/handlers/users.delete")
    assert problem.message == "handler `src/handlers/users.delete`: src/handlers/users.py has no function `delete`"


def test_serverless_missing_module_is_a_problem() -> None:
    problem = problem_mentioning("serverless", "reports")
    assert problem.span == span_of(SERVERLESS, "src/handlers/reports.export")
    assert problem.message == "handler `src/handlers/reports.export`: no module src/handlers/reports.py under ./"


def test_serverless_variable_handler_and_other_runtimes_are_skipped() -> None:
    assert not mentions("serverless", "export.run") and not mentions("serverless", "webhook")


# AWS CDK (Python)

STACK = PROJECTS / "cdk" / "stacks" / "orders_stack.py"


def test_cdk_asset_folder_is_relative_to_the_cdk_app() -> None:
    handler = handler_named("cdk", "OrdersFunction")
    assert (handler.module, handler.function) == ((PROJECTS / "cdk/lambda/index.py").resolve(), "handler")
    assert handler.span == span_of(STACK, "index.handler", after='"OrdersFunction"')


def test_cdk_python_function_reads_entry_index_and_handler() -> None:
    handler = handler_named("cdk", "ReportsFunction")
    assert (handler.module, handler.function) == ((PROJECTS / "cdk/reports/app.py").resolve(), "build_report")
    assert handler.span == span_of(STACK, "build_report")


def test_cdk_function_through_a_module_import_alias_is_checked() -> None:
    problem = problem_mentioning("cdk", "refund")
    assert problem.span == span_of(STACK, "index.refund")
    assert problem.message == "handler `index.refund`: index.py has no function `refund`"


def test_cdk_python_function_defaults_to_index_py_and_reports_a_missing_entry() -> None:
    problem = problem_mentioning("cdk", "ingest")
    assert problem.span == span_of(STACK, "ingest", after='"IngestFunction"')
    assert problem.message == "handler `handler` in `index.py`: no module index.py under ../ingest/"


def test_cdk_node_and_inline_functions_are_skipped() -> None:
    assert not mentions("cdk", "WebFunction") and not mentions("cdk", "InlineFunction")


def test_cdk_asset_without_cdk_json_is_relative_to_the_stack_file(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "infra/stack.py": "from aws_cdk import aws_lambda\n"
            'aws_lambda.Function(None, "Fn", handler="main.go", code=aws_lambda.Code.from_asset("code"))\n',
            "infra/code/main.py": "def go(event, context):\n    pass\n",
        },
    )
    [handler], _ = scan_deployments(tmp_path)
    assert handler.module == (tmp_path / "infra/code/main.py").resolve()


# Terraform

MAIN_TF = PROJECTS / "terraform" / "main.tf"


def test_terraform_code_comes_from_an_archive_in_a_sibling_file() -> None:
    handler = handler_named("terraform", "aws_lambda_function.orders")
    assert (handler.module, handler.function) == ((PROJECTS / "terraform/src/orders.py").resolve(), "lambda_handler")
    assert handler.span == span_of(MAIN_TF, "orders.lambda_handler")


def test_terraform_lambda_module_source_path() -> None:
    handler = handler_named("terraform", "module.reports")
    assert (handler.module, handler.function) == ((PROJECTS / "terraform/reports/reports.py").resolve(), "handler")


def test_terraform_missing_function_is_a_problem() -> None:
    problem = problem_mentioning("terraform", "process_refund")
    assert problem.span == span_of(MAIN_TF, "orders.process_refund")
    assert problem.message == "handler `orders.process_refund`: orders.py has no function `process_refund`"


def test_terraform_missing_module_is_a_problem() -> None:
    problem = problem_mentioning("terraform", "audit")
    assert problem.span == span_of(MAIN_TF, "audit.handler")
    assert problem.message == "handler `audit.handler`: no module audit.py under audit/"


def test_terraform_heredoc_and_comment_text_is_not_read_as_attributes() -> None:
    assert not mentions("terraform", "nope")


def test_terraform_other_runtimes_and_interpolated_handlers_are_skipped() -> None:
    assert not mentions("terraform", "aws_lambda_function.web") and not mentions("terraform", "aws_lambda_function.computed")


# Azure Functions (v1 programming model)

AZURE = PROJECTS / "azure"


def test_azure_defaults_to_main_in_init_py() -> None:
    handler = handler_named("azure", "HttpTrigger")
    assert (handler.module, handler.function, handler.platform) == ((AZURE / "HttpTrigger/__init__.py").resolve(), "main", "azure-functions")


def test_azure_script_file_and_entry_point() -> None:
    handler = handler_named("azure", "Custom")
    assert (handler.module, handler.function) == ((AZURE / "Custom/handler.py").resolve(), "run")
    assert handler.span == span_of(AZURE / "Custom/function.json", "run")


def test_azure_missing_entry_point_is_a_problem_on_entry_point() -> None:
    problem = problem_mentioning("azure", "handle_timer")
    assert problem.span == span_of(AZURE / "Broken/function.json", "handle_timer")
    assert problem.message == "entry point `handle_timer` in `__init__.py`: __init__.py has no function `handle_timer`"


def test_azure_missing_script_file_is_a_problem_on_script_file() -> None:
    problem = problem_mentioning("azure", "orphan.py")
    assert (problem.origin, problem.span) == (AZURE / "Orphan/function.json", span_of(AZURE / "Orphan/function.json", "orphan.py"))


def test_azure_non_python_script_is_skipped() -> None:
    assert not mentions("azure", "NodeTrigger") and not mentions("azure", "index.js")


# Finding deployment files


def test_find_deployment_files_skips_build_output_dependencies_and_hidden_folders(tmp_path: Path) -> None:
    template = "Resources: {}\n"
    write_project(
        tmp_path,
        {
            "template.yaml": template,
            "nested/orders.template.yaml": template,
            "node_modules/pkg/template.yaml": template,
            ".aws-sam/build/template.yaml": template,
            "cdk.out/Stack.template.json": "{}",
            ".terraform/modules/x/main.tf": "",
            "venv/lib/serverless.yml": "",
        },
    )
    assert find_deployment_files(tmp_path) == [tmp_path / "nested/orders.template.yaml", tmp_path / "template.yaml"]


def test_only_python_files_importing_aws_cdk_are_deployment_files(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "app.py": "import aws_cdk as cdk\n",
            "stack.py": "from aws_cdk import Stack\n",
            "handler.py": "# mentions aws_cdk in a comment only\nimport json\n",
        },
    )
    assert find_deployment_files(tmp_path) == [tmp_path / "app.py", tmp_path / "stack.py"]


def test_handlers_for_selects_the_handlers_of_one_module() -> None:
    handlers, _ = scanned("sam")
    selected = handlers_for(PROJECTS / "sam" / "users" / ".." / "src" / "app.py", handlers)
    assert sorted(handler.function for handler in selected) == ["lambda_handler", "report_handler"]


# CloudFormation intrinsic functions in their short YAML form

INTRINSIC_TAGS = [
    "!Ref Stage",
    "!GetAtt Fn.Arn",
    "!GetAtt [Fn, Arn]",
    '!Sub "${AWS::Region}-x"',
    "!Sub ['${A}', {A: !Ref B}]",
    "!If [Cond, a, b]",
    '!Join ["-", [a, b]]',
    "!Select [0, !GetAZs '']",
    "!FindInMap [Map, Key, Value]",
    "!ImportValue exported",
    "!Base64 text",
    "!Equals [a, b]",
    "!Not [!Condition C]",
    "!And [!Condition A, !Condition B]",
    "!Or [!Condition A, !Condition B]",
    "!Condition C",
    "!GetAZs ''",
    '!Split [",", "a,b"]',
    "!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
    '!Cidr ["10.0.0.0/16", 2, 8]',
    "!Length [a, b]",
    "!ToJsonString {a: b}",
]


@pytest.mark.parametrize("value", INTRINSIC_TAGS)
def test_intrinsic_tag_parses_and_makes_the_handler_non_literal(tmp_path: Path, value: str) -> None:
    template = f"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: {value}\n"
    write_project(tmp_path, {"template.yaml": template})
    assert scan_deployments(tmp_path) == ([], [])


TAGGED_YAML = sorted(path for path in PROJECTS.rglob("*.y*ml") if re.search(r"(?m)[:-] +!\w", path.read_text(encoding="utf-8")))


def test_fixtures_include_yaml_with_intrinsic_tags() -> None:
    assert {path.parent.name for path in TAGGED_YAML} >= {"sam", "serverless"}


@pytest.mark.parametrize("path", TAGGED_YAML, ids=lambda path: str(path.relative_to(PROJECTS)))
def test_every_fixture_yaml_with_intrinsic_tags_parses(path: Path) -> None:
    assert isinstance(read_yaml(path.read_text(encoding="utf-8")), dict)


def test_recursive_yaml_alias_does_not_hang(tmp_path: Path) -> None:
    write_project(tmp_path, {"template.yaml": "Resources: &loop\n  Self: *loop\n"})
    assert scan_deployments(tmp_path) == ([], [])


# Files that cannot be read


def test_invalid_cloudformation_yaml_is_a_problem_where_the_reader_stopped(tmp_path: Path) -> None:
    text = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: [unclosed\n"
    write_project(tmp_path, {"template.yaml": text})
    _, [problem] = scan_deployments(tmp_path)
    assert problem.message.startswith("not valid YAML")
    assert problem.span.start.line == text.count("\n")


def test_invalid_yaml_named_template_but_not_cloudformation_is_ignored(tmp_path: Path) -> None:
    write_project(tmp_path, {"template.yaml": "title: {{ jinja }}\n  bad: [indent\n"})
    assert scan_deployments(tmp_path) == ([], [])


def test_invalid_function_json_is_a_problem_at_the_error(tmp_path: Path) -> None:
    text = '{\n  "bindings": [,]\n}\n'
    write_project(tmp_path, {"Fn/function.json": text})
    _, [problem] = scan_deployments(tmp_path)
    assert problem.message.startswith("not valid JSON")
    assert problem.span == span_of(tmp_path / "Fn/function.json", "", after=",")


def test_undecodable_deployment_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_bytes(b"functions:\n  a:\n    handler: \xff\xfe.x\n")
    assert scan_deployments(tmp_path) == ([], [])


# What counts as an existing handler function


def serverless_project(tmp_path: Path, module_source: str, runtime: str = "python3.12") -> tuple[list[DeployedHandler], list[DeploymentProblem]]:
    service = f"provider:\n  runtime: {runtime}\nfunctions:\n  fn:\n    handler: app.handler\n" if runtime else "functions:\n  fn:\n    handler: app.handler\n"
    write_project(tmp_path, {"serverless.yml": service, "app.py": module_source})
    return scan_deployments(tmp_path)


@pytest.mark.parametrize(
    "module_source",
    [
        "async def handler(event, context):\n    pass\n",
        "from .impl import handler\n",
        "try:\n    from fast import handler\nexcept ImportError:\n    def handler(event, context):\n        pass\n",
        "handler: object = make()\n",
        "class handler:\n    pass\n",
        "from somewhere import *\n",
        "def broken(:\n",
    ],
    ids=["async-def", "re-export", "conditional", "annotated", "class", "star-import", "syntax-error"],
)
def test_handler_counts_as_defined(tmp_path: Path, module_source: str) -> None:
    handlers, problems = serverless_project(tmp_path, module_source)
    assert [handler.function for handler in handlers] == ["handler"] and problems == []


def test_function_defined_only_inside_another_function_is_missing(tmp_path: Path) -> None:
    _, [problem] = serverless_project(tmp_path, "def outer():\n    def handler(event, context):\n        pass\n")
    assert problem.message == "handler `app.handler`: app.py has no function `handler`"


def test_handler_without_a_module_part_is_a_problem(tmp_path: Path) -> None:
    write_project(tmp_path, {"serverless.yml": "provider:\n  runtime: python3.12\nfunctions:\n  fn:\n    handler: handler\n"})
    _, [problem] = scan_deployments(tmp_path)
    assert problem.message == "handler `handler`: expected `module.function`"


def test_unknown_runtime_pointing_at_no_python_module_is_silent(tmp_path: Path) -> None:
    write_project(tmp_path, {"serverless.yml": "functions:\n  fn:\n    handler: index.handler\n", "index.js": ""})
    assert scan_deployments(tmp_path) == ([], [])


def test_unknown_runtime_pointing_at_a_python_module_is_checked(tmp_path: Path) -> None:
    _, [problem] = serverless_project(tmp_path, "def other(event, context):\n    pass\n", runtime="")
    assert problem.message == "handler `app.handler`: app.py has no function `handler`"


def test_package_handler_resolves_to_the_package_init(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "serverless.yml": "provider:\n  runtime: python3.12\nfunctions:\n  fn:\n    handler: api.handler\n",
            "api/__init__.py": "def handler(event, context):\n    pass\n",
        },
    )
    [handler], _ = scan_deployments(tmp_path)
    assert handler.module == (tmp_path / "api/__init__.py").resolve()


def test_dotted_handler_resolves_to_a_nested_module(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "template.yaml": "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Runtime: python3.12\n      CodeUri: src\n      Handler: orders.api.handler\n",
            "src/orders/api.py": "def handler(event, context):\n    pass\n",
        },
    )
    [handler], _ = scan_deployments(tmp_path)
    assert handler.module == (tmp_path / "src/orders/api.py").resolve()


def test_spans_count_code_points_after_non_ascii_text(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "serverless.yml": "provider: {runtime: python3.12}\nfunctions:\n  fn: {description: \"é😀\", handler: app.handler}\n",
            "app.py": "def handler(event, context):\n    pass\n",
        },
    )
    [handler], _ = scan_deployments(tmp_path)
    assert handler.span == span_of(tmp_path / "serverless.yml", "app.handler")


# Hostile input


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('{}[]"\'!&*:-#/\\$<\n\r\t =.,ab1é')), max_size=80))
def test_readers_never_fail_on_arbitrary_text(text: str) -> None:
    for read in (read_yaml, read_json):
        try:
            read(text)
        except DocumentError:
            pass
    read_blocks(text)


@pytest.mark.parametrize("read", [read_yaml, read_json], ids=["yaml", "json"])
def test_deeply_nested_document_is_a_document_error(read: Callable[[str], object]) -> None:
    with pytest.raises(DocumentError):
        read("[" * 100_000)


def test_deeply_nested_terraform_templates_yield_no_blocks() -> None:
    assert read_blocks('resource "a" "b" {\n  x = "' + '${"' * 5_000 + "\n}\n") == []


def test_whether_a_python_file_is_a_cdk_app_follows_each_saved_change(tmp_path: Path) -> None:
    """The answer is kept while the file is unchanged; a save (another size or time) is read again."""
    app = tmp_path / "app.py"
    seen = []
    for when, text in ((1_000_000_000, "import json\n"), (2_000_000_000, "import aws_cdk as cdk\n"),
                       (3_000_000_000, "import os\n"), (3_000_000_000, "import os\n")):
        app.write_text(text, encoding="utf-8")
        os.utime(app, ns=(when, when))  # long ago: the answer may be kept
        seen.append(is_deployment_file(app))
    assert seen == [False, True, False, False]
