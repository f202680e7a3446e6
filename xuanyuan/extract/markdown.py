"""Markdown pieces shared by the HTML and PDF extractors."""

from __future__ import annotations

import re

# Scripts written without spaces between words: a wrapped line joins them with nothing.
_NO_SPACE_SCRIPT = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef\u3040-\u30ff\uac00-\ud7af]")


# A number cut by the wrap inside Chinese prose ("…回购资金总额不低于13.0" + "0亿元"): in CJK
# text a line break inside a digit run is never a word boundary.
_CJK_NUMBER_TAIL = re.compile(r"[\u2e80-\u9fff\uff00-\uffef][0-9.,，]*[0-9.]$")


def joins_without_space(left: str, right: str) -> bool:
    """True when two wrapped pieces of text meet without a space (CJK on either side)."""
    if not (left and right):
        return False
    if _NO_SPACE_SCRIPT.match(left[-1]) or _NO_SPACE_SCRIPT.match(right[0]):
        return True
    return right[0].isdigit() and _CJK_NUMBER_TAIL.search(left[-24:]) is not None


def join_wrapped(lines: list[str]) -> str:
    """Join the wrapped lines of one paragraph or table cell: no space between CJK pieces, else one."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
        elif joins_without_space(out, line) or out.endswith("-") and out[-2:-1].isalpha():
            # "two-" + "pass" keeps its hyphen: dropping it would break real compounds.
            out += line
        else:
            out += " " + line
    return out


def escape_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_to_markdown(rows: list[list[str]]) -> str:
    """Rows of cell strings as a markdown table (first row is the header); all-empty rows and columns dropped."""
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    padded = [[escape_cell(cell) for cell in row] + [""] * (width - len(row)) for row in rows]
    keep = [col for col in range(width) if any(row[col].strip() for row in padded)]
    padded = [[row[col] for col in keep] for row in padded if any(row[col].strip() for col in keep)]
    if not padded or not keep:
        return ""

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    out = [line(padded[0]), "|" + "|".join("---" for _ in keep) + "|"]
    out.extend(line(row) for row in padded[1:])
    return "\n".join(out)
