"""Run the cleaning rules over documents and shards, recording every removed line, edit and drop.

A profile (config `clean.profiles.<name>`) maps rule names to `false` (off), `true` (on with
defaults) or a mapping of parameters (on, parameters overridden); rules it does not name
follow their `enabled_by_default`. Per document: char rewrites -> line removal -> sentence
rewrites -> document filters, the first failing filter drops the document.
"""

from __future__ import annotations

import difflib
import os
import re
from typing import Any, Iterable

from xuanyuan.clean.base import (
    LEVEL_ORDER,
    CleaningRule,
    DocumentFilter,
    LineFilter,
    RatioFilter,
    Rewrite,
    TextView,
    is_per_lang,
)
from xuanyuan.clean.registry import RULES, ordered_rules
from xuanyuan.ledger import StageShard
from xuanyuan.records import LANGS
from xuanyuan.shards import read_records

EMPTY_RULE = "empty_after_cleaning"
_BLANK_RUNS = re.compile(r"\n{3,}")

Profile = dict[str, "bool | dict[str, Any]"]


# --------------------------------------------------------------------------------------
# Profiles


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "null" if value is None else type(value).__name__


_KIND_WORDS = {"bool": "true or false", "number": "a number", "string": "a string", "list": "a list", "mapping": "a mapping"}


def _value_problem(default: Any, value: Any, per_lang_ok: bool) -> str | None:
    """Why `value` cannot replace `default` (None when it can)."""
    if is_per_lang(value) or (is_per_lang(default) and isinstance(value, dict)):
        if not per_lang_ok:
            return f"is the same for every language; give one value, not {value!r}"
        unknown = sorted(set(value) - set(LANGS))
        if unknown:
            return f"has per-language keys {unknown}; allowed languages: {', '.join(LANGS)}"
        for lang, lang_value in value.items():
            problem = _value_problem(default.get(lang) if is_per_lang(default) else default, lang_value, False)
            if problem:
                return f"for {lang} {problem}"
        return None
    if is_per_lang(default):
        samples = [lang_value for lang_value in default.values() if lang_value is not None]
        return _value_problem(samples[0], value, False) if samples else None
    expected, actual = _kind(default), _kind(value)
    if value is None:
        return None if expected in ("null", "number", "list") else f"must be {_KIND_WORDS[expected]}, not empty"
    if expected == "null":
        return None if actual == "number" else f"is {value!r}; it must be a number or empty"
    if expected != actual:
        return f"is {value!r}; it must be {_KIND_WORDS.get(expected, expected)} (default {default!r})"
    return None


def _setting_problems(name: str, setting: Any) -> list[str]:
    cls = RULES.get(name)
    if cls is None:
        close = difflib.get_close_matches(name, list(RULES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return [f"unknown cleaning rule '{name}'{hint}; known rules: {', '.join(RULES)}"]
    if isinstance(setting, bool):
        return []
    if not isinstance(setting, dict):
        return [f"cleaning rule '{name}' is set to {setting!r}; use true, false or a mapping of its parameters"]
    unknown = sorted(set(setting) - set(cls.defaults))
    if unknown:
        return [
            f"cleaning rule '{name}' has no parameter {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(cls.defaults) or '(none)'}"
        ]
    problems = []
    for key, value in setting.items():
        default = cls.defaults[key]
        # RatioFilter reads min/max per language; other parameters are per language when their default is.
        per_lang_ok = is_per_lang(default) or (issubclass(cls, RatioFilter) and key in ("min", "max"))
        problem = _value_problem(default, value, per_lang_ok)
        if problem:
            problems.append(f"cleaning rule '{name}': parameter '{key}' {problem}")
    if not problems:
        try:
            cls(**setting)  # the rule's own checks: allowed modes, readable lexicons, valid patterns
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
    return problems


def validate_profile(profile: Profile | None) -> list[str]:
    """Every problem of a cleaning profile, one message each (empty when it is valid)."""
    ordered_rules()  # make sure every rule is registered
    if profile is None:
        return []
    if not isinstance(profile, dict):
        return [f"a cleaning profile must be a mapping of rule name to true/false/parameters, not {profile!r}"]
    problems: list[str] = []
    for name, setting in profile.items():
        problems.extend(_setting_problems(str(name), setting))
    return problems


def build_rules(profile: Profile | None = None) -> list[CleaningRule]:
    """The enabled rules of a profile, instantiated, in level order then registry order."""
    problems = validate_profile(profile)
    if problems:
        raise ValueError("invalid cleaning profile: " + "; ".join(problems))
    profile = profile or {}
    rules: list[CleaningRule] = []
    for cls in ordered_rules():
        setting = profile.get(cls.name)
        if setting is None:
            enabled, params = cls.enabled_by_default, {}
        elif isinstance(setting, bool):
            enabled, params = setting, {}
        else:
            enabled, params = True, setting
        if enabled:
            rules.append(cls(**params))
    return rules


# --------------------------------------------------------------------------------------
# Documents


class _NullLedger:
    """Stands in for a StageLedger when a caller only wants the cleaned text."""

    def remove_line(self, **_: Any) -> None:
        pass

    def edit(self, **_: Any) -> None:
        pass

    def drop(self, **_: Any) -> None:
        pass


def _group(rules: Iterable[CleaningRule]) -> dict[str, list[CleaningRule]]:
    levels: dict[str, list[CleaningRule]] = {level: [] for level in LEVEL_ORDER}
    for rule in rules:
        levels[rule.level].append(rule)
    return levels


class _Plan:
    """The rules of each level that apply to each language, worked out once per rule list."""

    def __init__(self, rules: list[CleaningRule]):
        self.rules = tuple(rules)
        self.levels = _group(rules)
        self._by_lang: dict[str, dict[str, list[CleaningRule]]] = {}

    def for_view(self, level: str, view: TextView) -> list[CleaningRule]:
        by_level = self._by_lang.get(view.lang)
        if by_level is None:
            by_level = self._by_lang[view.lang] = {
                name: [rule for rule in rules if _lang_only(rule) and rule.applies_to(view)]
                for name, rules in self.levels.items()
            }
        selected = by_level[level]
        # Rules that decide per document (an overridden applies_to) are asked every time.
        custom = [rule for rule in self.levels[level] if not _lang_only(rule) and rule.applies_to(view)]
        return selected + custom if custom else selected


def _lang_only(rule: CleaningRule) -> bool:
    return type(rule).applies_to is CleaningRule.applies_to


_PLANS: dict[int, _Plan] = {}


def _plan(rules: list[CleaningRule]) -> _Plan:
    plan = _PLANS.get(id(rules))
    if plan is None or len(plan.rules) != len(rules) or any(a is not b for a, b in zip(plan.rules, rules)):
        if len(_PLANS) > 64:
            _PLANS.clear()
        plan = _PLANS[id(rules)] = _Plan(rules)
    return plan


def _view(text: str, doc: dict[str, Any]) -> TextView:
    return TextView(text, doc["lang"], doc.get("source", ""), doc.get("kind", ""), doc.get("domain", ""))


def _rewrite(text: str, plan: _Plan, level: str, doc: dict[str, Any], ledger: Any, edits: list[int]) -> str:
    view = _view(text, doc)
    for rule in plan.for_view(level, view):
        if not isinstance(rule, Rewrite):
            continue
        new, count = rule.rewrite(text, view)
        if count:
            ledger.edit(doc_id=doc["id"], rule=rule.name, count=count, chars_delta=len(new) - len(text))
            edits[0] += count
            text = new
    return text


def clean_document(doc: dict[str, Any], rules: list[CleaningRule], ledger: Any = None) -> dict[str, Any] | None:
    """The cleaned copy of `doc`, or None when a rule drops it; every change goes to `ledger`."""
    ledger = ledger if ledger is not None else _NullLedger()
    plan = _plan(rules)
    doc_id = doc["id"]
    edits = [0]
    text = _rewrite(doc["text"], plan, "char", doc, ledger, edits)

    lines_removed = 0
    view = _view(text, doc)
    line_rules = [rule for rule in plan.for_view("line", view) if isinstance(rule, LineFilter)]
    if line_rules and text:
        pii_rules = [rule for rule in plan.for_view("sentence", view) if getattr(rule, "masks_pii", False)]
        kept: list[str] = []
        for line_no, raw in enumerate(text.split("\n"), start=1):
            line = raw.strip()
            if not line:
                kept.append(raw)
                continue
            for rule in line_rules:
                finding = rule.check_line(line, view)
                if finding is not None:
                    logged = line
                    for pii in pii_rules:  # the ledger never holds personal data
                        logged = pii.rewrite(logged, view)[0]
                    ledger.remove_line(
                        doc_id=doc_id, rule=rule.name, line=logged, line_no=line_no, value=finding.value, threshold=finding.threshold
                    )
                    lines_removed += 1
                    break
            else:
                kept.append(raw)
        if lines_removed:
            text = _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip("\n")

    text = _rewrite(text, plan, "sentence", doc, ledger, edits)

    meta = dict(doc.get("meta") or {})
    if lines_removed or edits[0]:
        meta["clean"] = {"lines_removed": lines_removed, "edits": edits[0]}
    cleaned = {**doc, "text": text, "meta": meta}

    if not text.strip():
        detail = f"{lines_removed} lines removed"
        ledger.drop(doc_id=doc_id, rule=EMPTY_RULE, value=0, threshold="> 0 chars", detail=detail, doc=cleaned)
        return None
    view = _view(text, doc)
    for rule in plan.for_view("document", view):
        if not isinstance(rule, DocumentFilter):
            continue
        finding = rule.check(view)
        if finding is not None:
            ledger.drop(
                doc_id=doc_id, rule=rule.name, value=finding.value, threshold=finding.threshold, detail=finding.detail, doc=cleaned
            )
            return None
    return cleaned


# --------------------------------------------------------------------------------------
# Shards


def _check_record(doc: Any, path: str | os.PathLike[str], index: int) -> None:
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: record {index} is not a JSON object; the shard was not written by the extract stage")
    missing = [key for key in ("id", "text", "lang") if key not in doc]
    if missing:
        raise ValueError(
            f"{path}: record {index} (id {doc.get('id', '?')!r}) lacks {', '.join(missing)}; "
            "documents need id, text, source, lang, domain, kind, meta (xuanyuan.records)"
        )
    if not isinstance(doc["text"], str):
        raise ValueError(f"{path}: record {doc['id']!r} has a non-string text")


def clean_shard(
    in_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    ledger_path: str | os.PathLike[str],
    stats_path: str | os.PathLike[str],
    *,
    source: str,
    shard: str | int,
    profile: Profile | None = None,
    max_ledger_text_chars: int | None = None,
) -> dict[str, Any]:
    """Clean one shard: kept records to `out_path`, events to `ledger_path`, counts to `stats_path`.

    `max_ledger_text_chars` (config `ledger.max_text_chars`) cuts the text of dropped documents kept in the ledger.
    """
    rules = build_rules(profile)
    with StageShard(
        "clean", source, shard, out_path=out_path, ledger_path=ledger_path, stats_path=stats_path,
        max_text_chars=max_ledger_text_chars,
    ) as outputs:
        for index, doc in enumerate(read_records(in_path), start=1):
            _check_record(doc, in_path, index)
            outputs.ledger.saw(len(doc["text"]))
            cleaned = clean_document(doc, rules, outputs.ledger)
            if cleaned is not None:
                outputs.keep(cleaned)
    return outputs.stats
