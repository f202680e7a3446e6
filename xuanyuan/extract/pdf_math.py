"""Formulas from a PDF text layer to LaTeX, as far as the text layer allows.

A PDF keeps no formula structure, only glyphs at positions. What can be recovered:
math fonts (TeX's CMMI/CMSY/CMEX, AMS, STIX, Cambria Math, Symbol) and math symbols
mark the math; glyphs map to LaTeX commands (Greek, relations, operators, TeX's CMEX big
operators and delimiters, which carry no Unicode); raised/lowered smaller glyphs become
^{...}/_{...}; in a display formula, a piece above the main baseline over a piece below
it becomes \\frac{...}{...} and small pieces over/under a big operator become its limits;
a trailing "(5)" becomes \\tag{5}. Matrices, cases, radicals' extent and accents over more
than one glyph are not recovered (the glyphs come out in reading order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MATH_FONT = re.compile(
    r"^(?:CM(?:MI|SY|EX|BSY|MIB)\d|MSAM|MSBM|EUFM|EUSM|EUEX|EUFB|RSFS|WASY|STIX|XITS|Asana|LatinModernMath|LMMath"
    r"|Cambria.?Math|MT.?Extra|Symbol|Euclid|Mathematica|TeXGyre\w*Math|rtxmi|txsy|txex|pxsy|pxex|esint|MathJax)",
    re.I,
)
# TeX's roman and bold fonts set digits and brackets inside formulas, but also whole
# documents, so they only extend a formula that a math font or symbol has started.
WEAK_MATH_FONT = re.compile(r"^(?:CM(?:R|BX|TI|SL|SS)\d+|LMRoman|rtxr)", re.I)
CMEX_FONT = re.compile(r"^(?:CMEX|EUEX)", re.I)
CMSY_FONT = re.compile(r"^CM(?:B)?SY", re.I)
BULLETS = set("•●○◦▪■□◆◇►▶✓✔❖➢➤·")

GREEK = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ϵ": r"\epsilon", "ε": r"\varepsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ϑ": r"\vartheta", "ι": r"\iota", "κ": r"\kappa",
    "λ": r"\lambda", "μ": r"\mu", "µ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ϖ": r"\varpi",
    "ρ": r"\rho", "ϱ": r"\varrho", "σ": r"\sigma", "ς": r"\varsigma", "τ": r"\tau", "υ": r"\upsilon",
    "ϕ": r"\phi", "φ": r"\varphi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega",
    "Γ": r"\Gamma", "Δ": r"\Delta", "∆": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi",
    "Π": r"\Pi", "Σ": r"\Sigma", "Υ": r"\Upsilon", "Φ": r"\Phi", "Ψ": r"\Psi", "\u03a9": r"\Omega", "\u2126": r"\Omega",
}
SYMBOLS = {
    "±": r"\pm", "∓": r"\mp", "·": r"\cdot", "×": r"\times", "÷": r"\div", "⋅": r"\cdot", "∗": "*", "−": "-", "–": "-",
    "≤": r"\leq", "≥": r"\geq", "≦": r"\leqq", "≧": r"\geqq", "⩽": r"\leqslant", "⩾": r"\geqslant",
    "≠": r"\neq", "≈": r"\approx", "≡": r"\equiv", "∼": r"\sim", "≃": r"\simeq", "≅": r"\cong",
    "∝": r"\propto", "≪": r"\ll", "≫": r"\gg", "≺": r"\prec", "≻": r"\succ", "⪯": r"\preceq", "⪰": r"\succeq",
    "∈": r"\in", "∉": r"\notin", "∋": r"\ni", "⊂": r"\subset", "⊃": r"\supset", "⊆": r"\subseteq",
    "⊇": r"\supseteq", "∪": r"\cup", "∩": r"\cap", "∅": r"\emptyset", "∀": r"\forall", "∃": r"\exists",
    "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee", "→": r"\to", "←": r"\leftarrow", "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow", "⇐": r"\Leftarrow", "⇔": r"\Leftrightarrow", "⟹": r"\Longrightarrow",
    "⟸": r"\Longleftarrow", "⟺": r"\Longleftrightarrow", "↦": r"\mapsto", "↑": r"\uparrow", "↓": r"\downarrow",
    "∞": r"\infty", "∂": r"\partial", "∇": r"\nabla", "√": r"\sqrt", "∑": r"\sum", "∏": r"\prod",
    "∐": r"\coprod", "∫": r"\int", "∬": r"\iint", "∮": r"\oint", "⋃": r"\bigcup", "⋂": r"\bigcap",
    "⨁": r"\bigoplus", "⨂": r"\bigotimes", "⋀": r"\bigwedge", "⋁": r"\bigvee", "′": "'", "″": "''",
    "⟨": r"\langle", "⟩": r"\rangle", "‖": r"\|", "∥": r"\parallel", "⌊": r"\lfloor", "⌋": r"\rfloor",
    "⌈": r"\lceil", "⌉": r"\rceil", "ℓ": r"\ell", "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}",
    "ℚ": r"\mathbb{Q}", "ℂ": r"\mathbb{C}", "∘": r"\circ", "⊕": r"\oplus", "⊗": r"\otimes", "⊙": r"\odot",
    "⊖": r"\ominus", "…": r"\ldots", "⋯": r"\cdots", "⋮": r"\vdots", "⋱": r"\ddots", "∠": r"\angle",
    "⊥": r"\perp", "∖": r"\setminus", "†": r"\dagger", "‡": r"\ddagger", "ℏ": r"\hbar", "ı": r"\imath",
    "ȷ": r"\jmath", "℘": r"\wp", "ℑ": r"\Im", "ℜ": r"\Re", "ℵ": r"\aleph", "∣": r"\mid", "∤": r"\nmid",
    "≜": r"\triangleq", "⊤": r"\top", "⊢": r"\vdash", "⊨": r"\models", "°": r"^{\circ}", "∴": r"\therefore",
    "∵": r"\because", "□": r"\square", "△": r"\triangle",
}
ACCENTS = {"¯": r"\bar", "ˉ": r"\bar", "ˆ": r"\hat", "^": r"\hat", "˜": r"\tilde", "˙": r"\dot", "¨": r"\ddot", "ˇ": r"\check", "⃗": r"\vec"}
BIG_OPERATORS = {r"\sum", r"\prod", r"\coprod", r"\int", r"\iint", r"\oint", r"\bigcup", r"\bigcap", r"\bigoplus", r"\bigotimes", r"\bigwedge", r"\bigvee", r"\lim", r"\max", r"\min"}

# TeX's cmex10 often has no Unicode map: its glyph codes arrive as control characters,
# digits and letters. Positions from the cmex10 font table; "" marks the middle and bottom
# pieces of a delimiter built from parts (its top piece stands for the whole).
_CMEX_SIZES = ["(", ")", "[", "]", r"\lfloor", r"\rfloor", r"\lceil", r"\rceil", r"\{", r"\}", r"\langle", r"\rangle"]
CMEX: dict[str, str] = {}
CMEX.update(zip(map(chr, range(0x00, 0x10)), _CMEX_SIZES + ["|", r"\|", "/", r"\backslash"]))
CMEX.update(zip(map(chr, range(0x10, 0x12)), ["(", ")"]))
CMEX.update(zip(map(chr, range(0x12, 0x20)), ["(", ")", "[", "]", r"\lfloor", r"\rfloor", r"\lceil", r"\rceil", r"\{", r"\}", r"\langle", r"\rangle", "/", r"\backslash"]))
CMEX.update(zip(map(chr, range(0x20, 0x30)), _CMEX_SIZES + ["/", r"\backslash", "/", r"\backslash"]))
CMEX.update(zip("0123456789", ["(", ")", "[", "]", "", "", "", "", r"\{", r"\}"]))
CMEX.update(zip("@ABCDE", ["", "", "", "", r"\langle", r"\rangle"]))
CMEX.update(zip("FGHIJKLMNOPQRSTUVWXYZ", [
    r"\bigsqcup", r"\bigsqcup", r"\oint", r"\oint", r"\bigodot", r"\bigodot", r"\bigoplus", r"\bigoplus",
    r"\bigotimes", r"\bigotimes", r"\sum", r"\prod", r"\int", r"\bigcup", r"\bigcap", r"\biguplus",
    r"\bigwedge", r"\bigvee", r"\sum", r"\prod", r"\int",
]))
CMEX.update(zip("abcdefg", [r"\coprod", r"\widehat", r"\widehat", r"\widehat", r"\widetilde", r"\widetilde", r"\widetilde"]))
CMEX.update(zip("hijklmno", ["[", "]", r"\lfloor", r"\rfloor", r"\lceil", r"\rceil", r"\{", r"\}"]))
CMEX.update(zip("pqrstuvw", [r"\sqrt", r"\sqrt", r"\sqrt", r"\sqrt", "", "", "", ""]))
# Pieces of tall delimiters as Adobe's Symbol encoding puts them in the private-use area.
DELIMITER_PIECES = {
    "\uf8eb": "(", "\uf8ec": "", "\uf8ed": "", "\uf8ee": "[", "\uf8ef": "", "\uf8f0": "", "\uf8f1": r"\{",
    "\uf8f2": "", "\uf8f3": "", "\uf8f4": "", "\uf8f5": "", "\uf8f6": ")", "\uf8f7": "", "\uf8f8": "",
    "\uf8f9": "]", "\uf8fa": "", "\uf8fb": "", "\uf8fc": r"\}", "\uf8fd": "", "\uf8fe": "",
}
# Greek capitals in cmr sit at codes 0-10 when the font has no Unicode map.
CMR_LOW = dict(zip(map(chr, range(0x00, 0x0B)), [r"\Gamma", r"\Delta", r"\Theta", r"\Lambda", r"\Xi", r"\Pi", r"\Sigma", r"\Upsilon", r"\Phi", r"\Psi", r"\Omega"]))
LATEX_SPECIAL = {"%": r"\%", "#": r"\#", "&": r"\&", "$": r"\$", "_": r"\_", "{": r"\{", "}": r"\}"}
MATH_SYMBOL_CHARS = set(GREEK) | (set(SYMBOLS) - {"–", "…", "°", "†", "‡", "′", "″", "□", "△", "−", "·"})
_WEAK_TEXT = re.compile(r"[\s\d.,;:=+\-−()\[\]/<>|!'*]*")
_EQ_NUMBER = re.compile(r"^\(\s*[0-9]+(?:\.[0-9]+)*[a-z]?\s*\)$")
_ACCENT_ARG = re.compile(r"(\\(?:bar|hat|widehat|tilde|widetilde|dot|ddot|check|vec))\s*(\\[A-Za-z]+|[A-Za-z0-9])")
_PROSE_WORD = re.compile(r"[A-Za-z]{2,}")
_SPACES = re.compile(r"\s+")
_COMMAND_GAP = re.compile(r"(\\[A-Za-z]+) (?=[{}()\[\]^_,.;'])")


@dataclass
class Span:
    """A run of glyphs with one font, size and baseline."""

    text: str
    font: str  # base font name, subset prefix removed
    size: float
    flags: int
    x0: float
    y0: float
    x1: float
    y1: float
    baseline: float
    line_id: int = 0  # which PDF line the span came from


def base_font(name: str) -> str:
    """'ABCDEF+CMMI10' -> 'CMMI10'."""
    return name.split("+", 1)[1] if len(name) > 7 and name[6] == "+" else name


def is_math_span(span: Span) -> bool:
    glyphs = [ch for ch in span.text if not ch.isspace()]
    if not glyphs:
        return False
    if MATH_FONT.match(span.font):
        return any(ch not in BULLETS for ch in glyphs)
    return any(ch in MATH_SYMBOL_CHARS for ch in glyphs)


def is_weak_span(span: Span) -> bool:
    """Digits, brackets and operators, or a TeX roman span without words ("exp", ") = argmin")."""
    if _WEAK_TEXT.fullmatch(span.text):
        return True
    # TeX roman also sets the prose of LaTeX documents: a span with a word in it is prose.
    return bool(WEAK_MATH_FONT.match(span.font)) and not _PROSE_WORD.search(FUNCTION_NAMES.sub(" ", span.text))


def glyph_to_latex(ch: str, font: str) -> str:
    """One glyph as LaTeX, using the font to read glyph codes that lack Unicode."""
    if ch in DELIMITER_PIECES:
        return DELIMITER_PIECES[ch]
    if CMEX_FONT.match(font) and ch in CMEX and (ord(ch) < 0x20 or ch.isalnum() or ord(ch) >= 0x80):
        # Brackets and punctuation may be real Unicode from a ToUnicode map; codes and letters cannot.
        return CMEX[ch]
    if ch == "\\":
        return r"\setminus" if CMSY_FONT.match(font) else r"\backslash"
    if WEAK_MATH_FONT.match(font) and ch in CMR_LOW:
        return CMR_LOW[ch]
    if CMSY_FONT.match(font) and "A" <= ch <= "Z":
        return r"\mathcal{" + ch + "}"
    if ch in GREEK:
        return GREEK[ch]
    if ch in SYMBOLS:
        return SYMBOLS[ch]
    if ch in ACCENTS:
        return ACCENTS[ch]
    if ch in LATEX_SPECIAL:
        return LATEX_SPECIAL[ch]
    if ord(ch) < 32:
        return ""
    return ch


def text_to_latex(text: str, font: str) -> str:
    out = []
    for ch in text:
        latex = glyph_to_latex(ch, font)
        # A command followed by a letter needs a space: \omega x, not \omegax.
        out.append(latex + " " if latex.startswith("\\") and latex[-1].isalpha() else latex)
    return "".join(out)


def tidy_latex(latex: str) -> str:
    latex = _ACCENT_ARG.sub(r"\1{\2}", latex)
    latex = _SPACES.sub(" ", latex).strip()
    latex = _COMMAND_GAP.sub(r"\1", latex)
    return latex.replace("{ ", "{").replace(" }", "}")


def main_baseline(spans: list[Span]) -> tuple[float, float]:
    """The baseline and font size that carry most glyphs."""
    weight: dict[tuple[float, float], float] = {}
    members: dict[tuple[float, float], list[float]] = {}
    for span in spans:
        key = (round(span.baseline, 0), round(span.size, 1))
        weight[key] = weight.get(key, 0) + len(span.text.strip()) * span.size
        members.setdefault(key, []).append(span.baseline)
    key = max(weight, key=lambda k: (weight[k], k[1]))
    baselines = sorted(members[key])
    return baselines[len(baselines) // 2], key[1]


def script_position(span: Span, baseline: float, size: float) -> str:
    """'sup', 'sub' or 'base' for a span relative to its line's main baseline."""
    smaller = span.size < 0.9 * size
    offset = span.baseline - baseline
    # Geometry first: MuPDF's superscript flag is also set on whole raised numerators.
    if offset > 0.08 * size and (smaller or offset > 0.25 * size):
        return "sub"
    if offset < -0.15 * size and (smaller or offset < -0.3 * size):
        return "sup"
    if smaller and span.flags & 1 and offset <= 0:
        return "sup"
    return "base"


def render_math_spans(spans: list[Span], baseline: float, size: float) -> str:
    """Spans of one formula (left to right) as LaTeX, with ^{...}/_{...} for scripts."""
    out: list[str] = []
    current = "base"
    for span in spans:
        latex = text_to_latex(span.text, span.font)
        if WEAK_MATH_FONT.match(span.font):
            latex = FUNCTION_NAMES.sub(_function_name, latex)
        # Tall delimiters and operators hang from the top of the line: never scripts.
        position = "base" if _is_tall_glyph(span) else script_position(span, baseline, size)
        if position == "sup" and latex.strip() in ("'", "''"):
            position, latex = "base", latex.strip()  # p', not p^{'}
        if position != current:
            if current != "base":
                out.append("}")
            if position != "base":
                out.append("^{" if position == "sup" else "_{")
            current = position
        out.append(latex)
    if current != "base":
        out.append("}")
    return tidy_latex("".join(out))


def render_line(spans: list[Span], *, formulas: bool = True) -> tuple[str, int]:
    """One text line with inline math as $...$; returns the text and its count of math glyphs."""
    text_only = "".join(span.text for span in spans)
    if not formulas or not spans:
        return text_only, 0
    math = [is_math_span(span) for span in spans]
    if not any(math):
        return text_only, 0
    baseline, size = main_baseline(spans)
    positions = [script_position(span, baseline, size) for span in spans]
    in_math = [
        m or (positions[i] != "base" and _near_math(math, i)) or (is_weak_span(spans[i]) and _between_math(spans, math, i))
        for i, m in enumerate(math)
    ]
    # Scripts of a math glyph belong to it even when set in the text font ("p_{t-1}").
    for i in range(1, len(spans)):
        if positions[i] != "base" and in_math[i - 1]:
            in_math[i] = True
    out: list[str] = []
    math_glyphs = 0
    i = 0
    while i < len(spans):
        if not in_math[i]:
            out.append(spans[i].text)
            i += 1
            continue
        j = i
        while j < len(spans) and in_math[j]:
            j += 1
        run = spans[i:j]
        latex = render_math_spans(run, baseline, size)
        lead = " " if run[0].text[:1].isspace() else ""
        trail = " " if run[-1].text[-1:].isspace() else ""
        if latex:
            out.append(f"{lead}${latex}${trail}")
            math_glyphs += sum(len(span.text.strip()) for span in run)
        i = j
    return "".join(out), math_glyphs


def _near_math(math: list[bool], i: int) -> bool:
    return (i > 0 and math[i - 1]) or (i + 1 < len(math) and math[i + 1])


def _between_math(spans: list[Span], math: list[bool], i: int) -> bool:
    """A weak span (digits, brackets, CM roman) continues a formula only inside one."""
    before = any(math[k] for k in range(max(0, i - 3), i))
    after = any(math[k] for k in range(i + 1, min(len(spans), i + 4)))
    if before and after:
        return True
    # "O(ω^2)": the closing bracket after the last math glyph, set in TeX roman.
    return WEAK_MATH_FONT.match(spans[i].font) is not None and (before or after)


def math_share(spans: list[Span]) -> float:
    """Share of a block's glyphs that are math, ignoring an equation number; 0 without a math font or symbol.

    Digits, brackets and TeX roman operators count as math only beside real math glyphs,
    so a block of numbers or a LaTeX-typeset paragraph is not taken for a formula.
    """
    total = 0
    strong = 0
    weak = 0
    for span in spans:
        glyphs = len(span.text.strip())
        if not glyphs or _EQ_NUMBER.match(span.text.strip()):
            continue
        total += glyphs
        if is_math_span(span):
            strong += glyphs
        elif is_weak_span(span):
            weak += glyphs
    return (strong + weak) / total if total and strong else 0.0


def formula_rows(spans: list[Span]) -> list[list[Span]]:
    """Spans of a display formula grouped into rows by baseline; a script joins the row of its base."""
    size = main_baseline(spans)[1]
    rows: list[list[Span]] = []
    baselines: list[float] = []
    row_of: dict[int, int] = {}  # id(span) -> row index
    previous: Span | None = None
    for span in sorted(spans, key=lambda s: (s.line_id, s.x0)):
        same_line = previous is not None and previous.line_id == span.line_id
        if same_line and (span.size < 0.85 * size or abs(previous.baseline - span.baseline) <= 0.3 * size):
            # A script, or what follows a script on its baseline ("F^{i-1}"), stays with its base.
            index = row_of[id(previous)]
        else:
            index = next((i for i, b in enumerate(baselines) if abs(b - span.baseline) <= 0.3 * size), -1)
            if index < 0:
                rows.append([])
                baselines.append(span.baseline)
                index = len(rows) - 1
        rows[index].append(span)
        row_of[id(span)] = index
        previous = span
    order = sorted(range(len(rows)), key=lambda i: baselines[i])
    return [sorted(rows[i], key=_reading_key) for i in order]


_ENDS_WITH_OPERATOR = re.compile(r"(?:^|[^A-Za-z])(?:arg ?min|arg ?max|min|max|lim|sup|inf|lim ?sup|lim ?inf)$")
FUNCTION_NAMES = re.compile(r"(?<![\\A-Za-z])(arg ?min|arg ?max|min|max|lim|sup|inf|exp|log|ln|lg|sin|cos|tan|cot|sec|csc|arcsin|arccos|arctan|sinh|cosh|tanh|det|dim|ker|deg|gcd|Pr)(?![A-Za-z])")


def _function_name(match: re.Match[str]) -> str:
    """'exp' -> '\\exp ', 'argmin' -> '\\arg\\min ': roman operator names as LaTeX commands."""
    name = match.group(1).replace(" ", "")
    if name.startswith("arg"):
        return "\\arg\\" + name[3:] + " "
    return "\\" + name + " "


def _operator_latex(span: Span, baseline: float, size: float) -> str | None:
    """LaTeX for a span that can carry limits (a big operator or min/max/lim in roman), else None."""
    latex = render_math_spans([span], baseline, size)
    if latex in BIG_OPERATORS:
        return latex
    if not MATH_FONT.match(span.font) and _ENDS_WITH_OPERATOR.search(span.text.strip()):
        return latex  # ") = argmin" takes the limits of its last word
    return None


def _is_tall_glyph(span: Span) -> bool:
    return bool(CMEX_FONT.match(span.font)) or all(ch in DELIMITER_PIECES for ch in span.text.strip())


def _reading_key(span: Span) -> float:
    """x position, with an accent moved just before the glyph it sits on."""
    if span.text.strip() and all(ch in ACCENTS for ch in span.text.strip()):
        return span.x0 - 0.3 * span.size
    return span.x0


def _pieces(row: list[Span], gap: float) -> list[list[Span]]:
    """A row cut where glyphs are more than `gap` apart (two numerators on one row)."""
    pieces: list[list[Span]] = []
    for span in row:
        if pieces and span.x0 - max(s.x1 for s in pieces[-1]) <= gap:
            pieces[-1].append(span)
        else:
            pieces.append([span])
    return pieces


def render_display(spans: list[Span]) -> str:
    """A display formula (spans of all its pieces) as `$$ ... $$`, with fractions and limits where the layout shows them."""
    spans = [span for span in spans if span.text.strip()]
    if not spans:
        return ""
    tag = ""
    last = max(spans, key=lambda span: span.x1)
    if _EQ_NUMBER.match(last.text.strip()) and len(spans) > 1:
        tag = r" \tag{" + last.text.strip()[1:-1].strip() + "}"
        spans = [span for span in spans if span is not last]
    tall = [span for span in spans if _is_tall_glyph(span)]
    rows = formula_rows([span for span in spans if not _is_tall_glyph(span)] or spans)
    # The main row runs from the left-hand side to the closing punctuation: the widest one.
    main_index = max(
        range(len(rows)),
        key=lambda i: (max(s.x1 for s in rows[i]) - min(s.x0 for s in rows[i]), sum(len(s.text) for s in rows[i])),
    )
    main_row = rows[main_index]
    baseline, size = main_baseline(main_row)
    if len(tall) < len(spans):
        # Big delimiters and operators hang from the top of the formula; they belong to its main row.
        main_row = sorted(main_row + tall, key=_reading_key)
    gap = 1.5 * size
    above = [piece for row in rows[:main_index] for piece in _pieces(row, gap)]
    below = [piece for row in rows[main_index + 1 :] for piece in _pieces(row, gap)]
    items: list[tuple[float, str]] = []  # (x position, latex)

    used_below: set[int] = set()
    leftovers_above: list[list[Span]] = []
    for group in reversed(above):  # nearest row first
        x0, x1 = min(s.x0 for s in group), max(s.x1 for s in group)
        partner = None
        for index, other in enumerate(below):
            if index in used_below:
                continue
            ox0, ox1 = min(s.x0 for s in other), max(s.x1 for s in other)
            if min(x1, ox1) - max(x0, ox0) > 0.3 * min(x1 - x0, ox1 - ox0):
                partner = index
                break
        if partner is None or _is_limit_pair(group, below[partner], main_row):
            leftovers_above.append(group)
            continue
        used_below.add(partner)
        other = below[partner]
        numerator = _render_group(group)
        denominator = _render_group(other)
        items.append((min(x0, min(s.x0 for s in other)), r"\frac{" + numerator + "}{" + denominator + "}"))
    leftovers_below = [group for index, group in enumerate(below) if index not in used_below]

    # Operators first, so that the pieces over and under them become their limits.
    operators: dict[int, str] = {}
    for span in main_row:
        latex = _operator_latex(span, baseline, size)
        if latex is None:
            continue
        lower = _take_limit(leftovers_below, span)
        upper = _take_limit(leftovers_above, span)
        if lower:
            latex += "_{" + lower + "}"
        if upper:
            latex += "^{" + upper + "}"
        operators[id(span)] = latex
    for group in leftovers_above:
        items.append((min(s.x0 for s in group), "^{" + _render_group(group) + "}"))
    for group in leftovers_below:
        items.append((min(s.x0 for s in group), "_{" + _render_group(group) + "}"))
    # The main row is cut wherever a fraction or script from another row sits between its glyphs.
    cuts = sorted(x for x, _ in items)
    run: list[Span] = []
    for span in main_row:
        crossing = bool(run) and any(run[-1].x0 < cut <= span.x0 for cut in cuts)
        if run and (crossing or id(span) in operators):
            items.append((run[0].x0, render_math_spans(run, baseline, size)))
            run = []
        if id(span) in operators:
            items.append((span.x0, operators[id(span)]))
        else:
            run.append(span)
    if run:
        items.append((run[0].x0, render_math_spans(run, baseline, size)))
    items.sort(key=lambda item: item[0])
    body = tidy_latex(" ".join(latex for _, latex in items))
    return f"$${body}{tag}$$" if body else ""


def _render_group(group: list[Span]) -> str:
    baseline, size = main_baseline(group)
    return render_math_spans(sorted(group, key=_reading_key), baseline, size)


def _is_limit_pair(upper: list[Span], lower: list[Span], main_row: list[Span]) -> bool:
    """Small pieces above and below a big operator are its limits, not a fraction."""
    x0 = min(min(s.x0 for s in upper), min(s.x0 for s in lower))
    x1 = max(max(s.x1 for s in upper), max(s.x1 for s in lower))
    for span in main_row:
        if span.x0 < x1 and span.x1 > x0 and text_to_latex(span.text, span.font).strip() in BIG_OPERATORS:
            return True
    return False


def _take_limit(groups: list[list[Span]], operator: Span) -> str:
    for index, group in enumerate(groups):
        center = (min(s.x0 for s in group) + max(s.x1 for s in group)) / 2
        width = operator.x1 - operator.x0
        if operator.x0 - width <= center <= operator.x1 + width:
            del groups[index]
            return _render_group(group)
    return ""
