"""AWS CDK apps in Python, read with ``ast`` (never imported): ``aws_lambda.Function``
with ``Code.from_asset("dir")`` and ``aws_lambda_python_alpha.PythonFunction``.

Only literal arguments are understood; paths are relative to the CDK app folder, where
``cdk synth`` runs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from leak_lsp.analysis.model import Span
from leak_lsp.analysis.text import LineIndex, utf8_column_to_index
from leak_lsp.project.claims import Claim, lambda_handler_claim, runtime_is_python
from leak_lsp.project.located import Located

IMPORTS_CDK = re.compile(rb"^[ \t]*(?:from|import)[ \t]+aws_cdk\b", re.MULTILINE)

_FUNCTIONS = {"aws_cdk.aws_lambda.Function", "aws_cdk.aws_lambda.SingletonFunction"}
_PYTHON_FUNCTIONS = {"aws_cdk.aws_lambda_python_alpha.PythonFunction", "aws_cdk.aws_lambda_python.PythonFunction"}
_FROM_ASSET = {"aws_cdk.aws_lambda.Code.from_asset", "aws_cdk.aws_lambda.Code.asset"}
_STRING_PREFIX = re.compile(r"[rRbBuUfF]*")


def app_claims(origin: Path, source: str, app_dir: Path) -> list[Claim]:
    """The Python functions that the constructs in ``source`` deploy; a file that does not
    parse yields none (the analysis reports its syntax error)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return []
    reader = _Constructs(origin, source, app_dir, _import_aliases(tree))
    claims = []
    for call in ast.walk(tree):
        claim = reader.claim(call) if isinstance(call, ast.Call) else None
        if claim is not None:
            claims.append(claim)
    return claims


class _Constructs:
    def __init__(self, origin: Path, source: str, app_dir: Path, aliases: dict[str, str]) -> None:
        self.origin = origin
        self.source = source
        self.lines = LineIndex(source)
        self.app_dir = app_dir
        self.aliases = aliases

    def claim(self, call: ast.Call) -> Claim | None:
        constructed = _qualified_name(call.func, self.aliases)
        if constructed in _FUNCTIONS:
            return self.function_claim(call)
        if constructed in _PYTHON_FUNCTIONS:
            return self.python_function_claim(call)
        return None

    def function_claim(self, call: ast.Call) -> Claim | None:
        arguments = _keywords(call)
        handler = self.literal(arguments.get("handler"))
        asset_path = self.asset_path(arguments.get("code"))
        python = self.runtime(arguments.get("runtime"))
        if handler is None or asset_path is None or python is False:
            return None
        return lambda_handler_claim(
            handler, origin=self.origin, platform="aws-lambda", name=self.construct_id(call, handler), code_dir=self.app_dir / asset_path, python=python
        )

    def python_function_claim(self, call: ast.Call) -> Claim | None:
        arguments = _keywords(call)
        entry = self.literal(arguments.get("entry"))
        index = self.literal(arguments.get("index"))
        handler = self.literal(arguments.get("handler"))
        python = self.runtime(arguments.get("runtime"))
        if entry is None or python is False or ("index" in arguments and index is None) or ("handler" in arguments and handler is None):
            return None
        module_span = (index or entry).span
        module, function = str(index or "index.py"), str(handler or "handler")
        return Claim(
            origin=self.origin,
            platform="aws-lambda",
            name=self.construct_id(call, entry),
            label=f"handler `{function}` in `{module}`",
            code_dir=self.app_dir / entry,
            modules=(module,),
            function=function,
            module_span=module_span,
            function_span=handler.span if handler is not None else module_span,
            python=True,
        )

    def asset_path(self, code: ast.expr | None) -> Located | None:
        """The folder of ``Code.from_asset("dir")``; ``None`` for inline, S3 or computed code."""
        if not isinstance(code, ast.Call) or _qualified_name(code.func, self.aliases) not in _FROM_ASSET:
            return None
        return self.literal(code.args[0] if code.args else _keywords(code).get("path"))

    def runtime(self, runtime: ast.expr | None) -> bool | None:
        """``Runtime.PYTHON_3_12`` is Python, ``Runtime.NODEJS_20_X`` is not, anything else is unknown."""
        return runtime_is_python(runtime.attr) if isinstance(runtime, ast.Attribute) else None

    def construct_id(self, call: ast.Call, fallback: str) -> str:
        construct_id = call.args[1] if len(call.args) > 1 else _keywords(call).get("id")
        literal = self.literal(construct_id)
        return str(literal) if literal is not None else fallback

    def literal(self, node: ast.expr | None) -> Located | None:
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            return None
        return Located(node.value, self.string_span(node))

    def string_span(self, node: ast.Constant) -> Span:
        """The span of the text between the quotes when it spells the value exactly, else
        of the whole literal (escapes, implicit concatenation, several lines)."""
        start = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)
        written = self.source[start:end]
        prefix = _STRING_PREFIX.match(written)
        opening = prefix.end() if prefix is not None else 0
        quote = written[opening : opening + 3] if written[opening : opening + 3] in ('"""', "'''") else written[opening : opening + 1]
        inner_start, inner_end = start + opening + len(quote), end - len(quote)
        if self.source[inner_start:inner_end] == node.value:
            start, end = inner_start, inner_end
        return Span(self.lines.position(start), self.lines.position(end))

    def offset(self, line_number: int, byte_column: int) -> int:
        line = line_number - 1
        return self.lines.starts[min(line, self.lines.line_count - 1)] + utf8_column_to_index(self.lines.line(line), byte_column)


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg is not None}


def _import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local names bound by imports from ``aws_cdk``, mapped to the names they stand for."""
    aliases: dict[str, str] = {}
    for statement in ast.walk(tree):
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name.partition(".")[0] == "aws_cdk":
                    local = alias.asname or alias.name.partition(".")[0]
                    aliases[local] = alias.name if alias.asname else local
        elif isinstance(statement, ast.ImportFrom) and statement.level == 0 and (statement.module or "").partition(".")[0] == "aws_cdk":
            for alias in statement.names:
                aliases[alias.asname or alias.name] = f"{statement.module}.{alias.name}"
    return aliases


def _qualified_name(expression: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(expression, ast.Name):
        return aliases.get(expression.id)
    if isinstance(expression, ast.Attribute):
        base = _qualified_name(expression.value, aliases)
        return f"{base}.{expression.attr}" if base is not None else None
    return None
