"""A small reader for the block structure of Terraform's HCL: blocks, their labels and
their attributes, with the span of every literal string.

It reads only what deployment discovery needs: an attribute's value is kept as its
source text, plus a :class:`Located` string when the value is one literal string.
Expressions are never evaluated; malformed input yields whatever blocks were complete.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from leak_lsp.analysis.model import Span
from leak_lsp.analysis.text import LineIndex
from leak_lsp.project.located import Located

_IDENTIFIER = re.compile(r"[A-Za-z_][\w-]*")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*(?:\r\n|\r|\n)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OPENERS, _CLOSERS = "{[(", "}])"
_MODULE_PATH = "${path.module}"


@dataclass(frozen=True)
class Token:
    kind: str  # "identifier", "string", "open", "close", "equals", "newline", "other"
    start: int
    end: int


@dataclass(frozen=True)
class Value:
    source: str  # the expression as written
    literal: Located | None  # set when the expression is one string without templates


@dataclass
class HclBlock:
    type: str
    labels: list[str]
    attributes: dict[str, Value] = field(default_factory=dict)
    blocks: list[HclBlock] = field(default_factory=list)


def read_blocks(text: str) -> list[HclBlock]:
    """The top-level blocks of a ``.tf`` file; none when strings nest too deeply to read."""
    try:
        return _Reader(text).body(nested=False).blocks
    except RecursionError:
        return []


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = LineIndex(text)
        self.tokens = list(_tokens(text))
        self.position = 0

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.position + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def body(self, nested: bool) -> HclBlock:
        contents = HclBlock("", [])
        while (token := self.peek()) is not None:
            self.position += 1
            if token.kind == "close" and nested:
                break
            if token.kind != "identifier":
                continue
            following = self.peek()
            if following is not None and following.kind == "equals":
                self.position += 1
                contents.attributes[self.source(token)] = self.value()
            else:
                self.block(self.source(token), contents)
        return contents

    def block(self, block_type: str, parent: HclBlock) -> None:
        labels = []
        while (token := self.peek()) is not None and token.kind in ("string", "identifier"):
            labels.append(self.string_content(token) if token.kind == "string" else self.source(token))
            self.position += 1
        if token is None or self.source(token) != "{":
            return
        self.position += 1
        child = self.body(nested=True)
        child.type, child.labels = block_type, labels
        parent.blocks.append(child)

    def value(self) -> Value:
        """The tokens of an expression: up to a line break or the enclosing ``}`` at depth 0."""
        taken: list[Token] = []
        depth = 0
        while (token := self.peek()) is not None:
            if depth == 0 and (token.kind == "newline" or token.kind == "close"):
                break
            depth += {"open": 1, "close": -1}.get(token.kind, 0)
            taken.append(token)
            self.position += 1
        if not taken:
            return Value("", None)
        source = self.text[taken[0].start : taken[-1].end]
        literal = self.literal(taken[0]) if len(taken) == 1 and taken[0].kind == "string" else None
        return Value(source, literal)

    def literal(self, token: Token) -> Located | None:
        content = self.string_content(token)
        content = content.replace(_MODULE_PATH + "/", "").replace(_MODULE_PATH, ".")
        if "${" in content or "%{" in content:
            return None
        if "\\" in content:
            try:
                content = json.loads(f'"{content}"')
            except ValueError:
                return None
        span = Span(self.lines.position(token.start + 1), self.lines.position(max(token.end - 1, token.start + 1)))
        return Located(content, span)

    def string_content(self, token: Token) -> str:
        closed = token.end - token.start >= 2 and self.text[token.end - 1] == '"'
        return self.text[token.start + 1 : token.end - 1 if closed else token.end]

    def source(self, token: Token) -> str:
        return self.text[token.start : token.end]


def _tokens(text: str) -> Iterator[Token]:
    index = 0
    while index < len(text):
        character = text[index]
        if character in " \t\f\ufeff":
            index += 1
        elif (line_break := _LINE_BREAK.match(text, index)) is not None:
            yield Token("newline", index, line_break.end())
            index = line_break.end()
        elif character == "#" or text.startswith("//", index):
            index = _end_of_line(text, index)
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            index = len(text) if end < 0 else end + 2
        elif character == '"':
            end = _string_end(text, index)
            yield Token("string", index, end)
            index = end
        elif (heredoc := _HEREDOC.match(text, index)) is not None:
            end = _heredoc_end(text, heredoc.end(), heredoc.group(1))
            yield Token("other", index, end)
            index = end
        elif (identifier := _IDENTIFIER.match(text, index)) is not None:
            yield Token("identifier", index, identifier.end())
            index = identifier.end()
        else:
            kind = "open" if character in _OPENERS else "close" if character in _CLOSERS else "other"
            if character == "=" and not text.startswith("==", index) and not text.startswith("=>", index):
                kind = "equals"
            width = 2 if text.startswith(("==", "=>"), index) else 1
            yield Token(kind, index, index + width)
            index += width


def _end_of_line(text: str, index: int) -> int:
    line_break = _LINE_BREAK.search(text, index)
    return len(text) if line_break is None else line_break.start()


def _string_end(text: str, start: int) -> int:
    """The offset after the closing quote of the string at ``start``, skipping templates
    (``"${var.a == "b" ? 1 : 2}"``); an unterminated string ends at its line."""
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
        elif text[index] == '"':
            return index + 1
        elif text.startswith(("${", "%{"), index):
            index = _template_end(text, index + 2)
        elif text[index] in "\r\n":
            return index
        else:
            index += 1
    return len(text)


def _template_end(text: str, index: int) -> int:
    depth = 1
    while index < len(text) and depth:
        if text[index] == '"':
            index = _string_end(text, index)
            continue
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        index += 1
    return index


def _heredoc_end(text: str, body_start: int, marker: str) -> int:
    closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
    found = closing.search(text, body_start)
    return len(text) if found is None else found.end()
