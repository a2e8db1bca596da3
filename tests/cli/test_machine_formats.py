"""``--format json|sarif|github``: what CI systems and editors parse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import LEAKING_HANDLER, RunCheck, write

# The leaking call comes after non-ASCII text on its line: columns must count characters.
NON_ASCII_CALL = """\
import threading


def work():
    pass


def lambda_handler(event, context):
    label = "naïve 😀 café"; threading.Thread(target=work).start()
    return label
"""
CALL_ROW = 9
CALL_COLUMN = NON_ASCII_CALL.splitlines()[CALL_ROW - 1].index("threading") + 1


@pytest.fixture
def handler(tmp_path: Path) -> Path:
    return write(tmp_path, "handler.py", NON_ASCII_CALL)


def test_json_is_ruffs_schema_with_severity(handler: Path, run_check: RunCheck) -> None:
    result = run_check("--format", "json", "handler.py")

    [entry] = json.loads(result.stdout)
    assert {"filename", "code", "message", "location", "end_location", "fix", "url", "noqa_row", "severity"} <= set(entry)
    assert entry["code"] == "EL101"
    assert entry["filename"] == str(handler)
    assert entry["severity"] == "error"
    assert entry["url"].endswith("EL101.md")


def test_json_positions_are_one_based_in_characters(handler: Path, run_check: RunCheck) -> None:
    [entry] = json.loads(run_check("--format", "json", "handler.py").stdout)

    assert entry["location"] == {"row": CALL_ROW, "column": CALL_COLUMN}
    assert entry["noqa_row"] == CALL_ROW
    assert (entry["end_location"]["row"], entry["end_location"]["column"]) > (CALL_ROW, CALL_COLUMN)


def test_json_fix_edits_have_one_based_positions(handler: Path, run_check: RunCheck) -> None:
    [entry] = json.loads(run_check("--format", "json", "handler.py").stdout)

    fix = entry["fix"]
    assert fix is not None and fix["applicability"] in ("safe", "unsafe", "display-only") and fix["message"]
    for edit in fix["edits"]:
        assert isinstance(edit["content"], str)
        assert edit["location"]["row"] >= 1 and edit["location"]["column"] >= 1
        assert (edit["end_location"]["row"], edit["end_location"]["column"]) >= (edit["location"]["row"], edit["location"]["column"])


def test_json_related_locations_carry_their_role(handler: Path, run_check: RunCheck) -> None:
    [entry] = json.loads(run_check("--format", "json", "handler.py").stdout)

    [related] = entry["related"]
    assert related["role"] == "exit"
    assert related["location"]["row"] == CALL_ROW + 1 and related["filename"] == str(handler)


def test_output_format_is_an_alias_of_format(handler: Path, run_check: RunCheck) -> None:
    assert run_check("--output-format", "json", "handler.py").stdout == run_check("--format", "json", "handler.py").stdout


def test_sarif_has_the_2_1_0_structure(handler: Path, run_check: RunCheck) -> None:
    document = json.loads(run_check("--format", "sarif", "handler.py").stdout)

    assert document["version"] == "2.1.0"
    assert "sarif" in document["$schema"]
    driver = document["runs"][0]["tool"]["driver"]
    rule = next(rule for rule in driver["rules"] if rule["id"] == "EL101")
    assert rule["name"] and rule["shortDescription"]["text"] and rule["helpUri"].endswith("EL101.md")
    assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note", "none")


def test_sarif_result_points_at_the_call_with_one_based_region(handler: Path, run_check: RunCheck) -> None:
    document = json.loads(run_check("--format", "sarif", "handler.py").stdout)

    [result] = document["runs"][0]["results"]
    assert result["ruleId"] == "EL101" and result["level"] == "error" and result["message"]["text"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "handler.py"
    region = location["region"]
    assert (region["startLine"], region["startColumn"]) == (CALL_ROW, CALL_COLUMN)
    assert (region["endLine"], region["endColumn"]) > (CALL_ROW, CALL_COLUMN)


def test_sarif_related_locations_come_from_the_finding(handler: Path, run_check: RunCheck) -> None:
    document = json.loads(run_check("--format", "sarif", "handler.py").stdout)

    [result] = document["runs"][0]["results"]
    related = result.get("relatedLocations", [])
    assert related, "the finding names the exit the thread outlives"
    lines = NON_ASCII_CALL.splitlines()
    for location in related:
        region = location["physicalLocation"]["region"]
        assert 1 <= region["startLine"] <= len(lines) and region["startColumn"] >= 1
        assert location["message"]["text"]


def test_github_annotations_carry_file_position_and_title(handler: Path, run_check: RunCheck) -> None:
    result = run_check("--format", "github", "handler.py")

    [line] = result.stdout.splitlines()
    match = re.fullmatch(r"::error file=handler\.py,line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+),title=EL101::(.+)", line)
    assert match, line
    assert (int(match[1]), int(match[2])) == (CALL_ROW, CALL_COLUMN)


def test_github_level_follows_the_severity(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check("--format", "github", "--severity", "EL101=warning", "handler.py")

    assert result.stdout.startswith("::warning file=handler.py,")
