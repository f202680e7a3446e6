"""The content of one generated document, independent of how it is written (HTML, PDF, JSONL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal

BlockKind = Literal["h", "p", "table", "list", "quote"]


@dataclass
class Table:
    """A ruled table: a header row, body rows, an optional caption and unit note."""

    header: list[str]
    rows: list[list[str]]
    caption: str = ""
    unit: str = ""

    def as_text(self) -> str:
        lines = [" | ".join(self.header)] + [" | ".join(row) for row in self.rows]
        return "\n".join(lines)


@dataclass
class Block:
    kind: BlockKind
    text: str = ""
    items: list[str] = field(default_factory=list)
    table: Table | None = None
    level: int = 2


@dataclass
class Article:
    """Title, ordered blocks and metadata; `lang` is the language of the main text."""

    title: str
    blocks: list[Block]
    lang: str
    genre: str
    meta: dict[str, Any] = field(default_factory=dict)
    infobox: list[tuple[str, str]] = field(default_factory=list)

    def paragraphs(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind in ("p", "quote")]

    def block_texts(self, table_text: Callable[[Table], str] = Table.as_text) -> list[str]:
        """Headings, paragraphs, quotes, list items and tables in order, each table written by `table_text`."""
        parts = []
        for block in self.blocks:
            if block.kind in ("h", "p", "quote"):
                parts.append(block.text)
            elif block.kind == "list":
                parts.extend(block.items)
            elif block.kind == "table" and block.table is not None:
                parts.append(table_text(block.table))
        return parts

    def main_text(self) -> str:
        """The text an ideal extractor returns: title, headings, paragraphs, list items, tables."""
        return "\n".join([self.title, *self.block_texts()])


def h(text: str, level: int = 2) -> Block:
    return Block("h", text=text, level=level)


def p(text: str) -> Block:
    return Block("p", text=text)


def ul(items: list[str]) -> Block:
    return Block("list", items=list(items))


def table(t: Table) -> Block:
    return Block("table", table=t)
