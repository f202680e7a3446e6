from __future__ import annotations

from xuanyuan.clean.base import LEVEL_ORDER, DocumentFilter, LineFilter, Rewrite
from xuanyuan.clean.registry import RULES, describe_rules, rules_markdown

REQUIRED = """unicode_normalize whitespace_normalize control_chars punctuation_width traditional_to_simplified html_residue
boilerplate_lines navigation_lines javascript_lines url_only_lines symbol_only_lines counter_lines
pii_id_card pii_mobile pii_bank_card pii_email pii_url citation_markers repeated_punctuation
min_chars max_chars gopher_word_count gopher_mean_word_length gopher_symbol_ratio gopher_bullet_lines gopher_ellipsis_lines
gopher_alpha_words gopher_stopwords gopher_dup_lines gopher_dup_line_chars gopher_dup_paragraphs gopher_dup_paragraph_chars
gopher_top_ngram gopher_dup_ngram fineweb_line_punct fineweb_short_lines fineweb_dup_line_chars fineweb_list_ratio cjk_ratio
lang_mismatch bad_words keyword_list symbol_spam digit_ratio mojibake uppercase_ratio lorem_ipsum code_braces""".split()


def test_registry_has_at_least_30_rules_across_all_levels():
    rows = describe_rules()
    assert len(rows) >= 30
    assert {row["level"] for row in rows} == set(LEVEL_ORDER)
    assert set(REQUIRED) <= set(RULES)


def test_every_rule_is_well_formed():
    for name, cls in RULES.items():
        assert cls.name == name and cls.measures and "\n" not in cls.measures
        assert set(cls.langs) <= {"zh", "en"}
        base = {"char": Rewrite, "sentence": Rewrite, "line": LineFilter, "document": DocumentFilter}[cls.level]
        assert issubclass(cls, base), name
        cls()  # defaults construct


def test_markdown_table_lists_every_rule_and_the_docs_are_current(repo):
    markdown = rules_markdown()
    for name in RULES:
        assert f"| `{name}` |" in markdown
    docs = repo / "docs" / "cleaning_rules.md"
    assert docs.read_text(encoding="utf-8") == markdown, "regenerate with: python -m xuanyuan.clean.registry > docs/cleaning_rules.md"
