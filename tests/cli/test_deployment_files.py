"""``check`` reports what the editor shows in deployment files: entry points naming missing code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import CLEAN_HANDLER, RunCheck, write

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: orders.lambda_handler
  RefundsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: refunds.lambda_handler
"""

SERVERLESS = """\
service: shop
provider:
  name: aws
  runtime: python3.12
functions:
  orders:
    handler: orders.handle
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "orders.py", CLEAN_HANDLER)
    return tmp_path


def test_a_template_names_a_missing_module(project: Path, run_check: RunCheck) -> None:
    write(project, "template.yaml", TEMPLATE)

    result = run_check("template.yaml")

    assert result.stdout.splitlines()[0] == "template.yaml:13:16: deployment: handler `refunds.lambda_handler`: " \
                                            "no module refunds.py under ./"
    assert "SyntaxError" not in result.stdout
    assert result.returncode == 1


def test_a_serverless_service_names_a_missing_function(project: Path, run_check: RunCheck) -> None:
    write(project, "serverless.yml", SERVERLESS)

    result = run_check("serverless.yml")

    assert "serverless.yml:7:" in result.stdout and "orders.py has no function `handle`" in result.stdout
    assert result.returncode == 1


def test_check_of_the_project_includes_its_deployment_files(project: Path, run_check: RunCheck) -> None:
    write(project, "template.yaml", TEMPLATE)

    entries = json.loads(run_check("--format", "json", ".").stdout)

    assert [(Path(entry["filename"]).name, entry["location"]["row"]) for entry in entries] == [("template.yaml", 13)]


def test_a_sound_template_is_clean(project: Path, run_check: RunCheck) -> None:
    write(project, "template.yaml", TEMPLATE.replace("refunds.lambda_handler", "orders.lambda_handler"))

    result = run_check(".")

    assert result.returncode == 0
    assert "All checked, no leaks." in result.stdout
