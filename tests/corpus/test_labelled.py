"""The generated classifier training set, the harmful keyword lists and the harmful plants."""

from __future__ import annotations

import random
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from xuanyuan.corpus import DEFAULT_PLANTS
from xuanyuan.corpus.genres import zh_encyclopedia, zh_exam
from xuanyuan.corpus.labelled import CATEGORIES, MAX_CHARS, MIN_CHARS, labelled_examples, load_harmful_keywords
from xuanyuan.corpus.plants import harmful

REPO = Path(__file__).resolve().parents[2]
KEYWORDS = REPO / "config" / "lexicons" / "harmful_keywords.yaml"
SIZES = {"per_category": 24, "clean": 60, "hard_negative": 48}
PLANT_RNGS = 200  # plants per category and language in the overlap and keyword checks
SHARED_RUN = 20  # characters: a common run this long would mean a copied sentence


@pytest.fixture(scope="module")
def examples() -> list[dict]:
    return labelled_examples(11, **SIZES)


@pytest.fixture(scope="module")
def keywords() -> dict[str, dict[str, list[str]]]:
    return load_harmful_keywords(KEYWORDS)


def keyword_hits(text: str, words: list[str], lang: str) -> set[str]:
    """Distinct keywords in `text`, matched as the keyword file's header describes."""
    if lang == "zh":
        return {word for word in words if word in text}
    lower = text.lower()
    return {word for word in words if re.search(r"(?<![a-z0-9])" + re.escape(word.lower()) + r"(?![a-z0-9])", lower)}


@lru_cache(maxsize=None)
def plant_texts(category: str, lang: str) -> tuple[str, ...]:
    return tuple(harmful.make(category, random.Random(index), lang).main_text() for index in range(PLANT_RNGS))


# -- the training set -------------------------------------------------------------------------

def test_same_arguments_give_the_same_list_and_another_seed_differs(examples):
    assert labelled_examples(11, **SIZES) == examples
    other = labelled_examples(12, **SIZES)
    assert len({e["text"] for e in other} & {e["text"] for e in examples}) < len(examples) // 10


def test_groups_labels_and_record_shape(examples):
    assert all(set(e) == {"text", "labels", "lang", "group"} for e in examples)
    groups = Counter(e["group"] for e in examples)
    assert groups == {"harmful": SIZES["per_category"] * len(CATEGORIES), "clean": SIZES["clean"], "hard_negative": SIZES["hard_negative"]}
    labels = Counter(tuple(e["labels"]) for e in examples if e["group"] == "harmful")
    assert labels == {(category,): SIZES["per_category"] for category in CATEGORIES}
    assert all(e["labels"] == [] for e in examples if e["group"] != "harmful")
    assert len({e["text"] for e in examples}) == len(examples), "no text twice, so a held-out split cannot leak"
    assert all(MIN_CHARS <= len(e["text"]) <= MAX_CHARS for e in examples)


def test_zh_to_en_is_about_three_to_one_in_every_group(examples):
    for group in ("harmful", "clean", "hard_negative"):
        langs = Counter(e["lang"] for e in examples if e["group"] == group)
        assert set(langs) == {"zh", "en"}
        assert 0.2 <= langs["en"] / sum(langs.values()) <= 0.3, (group, langs)
    for category in CATEGORIES:
        langs = Counter(e["lang"] for e in examples if e["labels"] == [category])
        assert langs["en"] == SIZES["per_category"] // 4, (category, langs)
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert all(bool(cjk.search(e["text"])) == (e["lang"] == "zh") for e in examples)


def test_a_subset_of_categories_and_one_groups_size_leave_the_others_unchanged(examples):
    subset = labelled_examples(11, per_category=24, clean=5, hard_negative=6, categories=["porn", "gambling"])
    assert Counter(tuple(e["labels"]) for e in subset if e["group"] == "harmful") == {("porn",): 24, ("gambling",): 24}
    full = {e["text"] for e in examples if e["labels"] in (["porn"], ["gambling"])}
    assert {e["text"] for e in subset if e["group"] == "harmful"} == full
    assert labelled_examples(11, per_category=24, clean=5, hard_negative=6, categories=["gambling", "porn"]) == subset


def test_hard_negatives_use_category_words_without_labels(examples, keywords):
    hard = [e for e in examples if e["group"] == "hard_negative"]
    with_words = [e for e in hard if any(keyword_hits(e["text"], keywords[c][e["lang"]], e["lang"]) for c in CATEGORIES)]
    assert len(with_words) >= 0.6 * len(hard)
    clean = [e for e in examples if e["group"] == "clean"]
    noisy = [e for e in clean if any(len(keyword_hits(e["text"], keywords[c][e["lang"]], e["lang"])) >= 2 for c in CATEGORIES)]
    assert len(noisy) <= 0.1 * len(clean)


def test_clean_passages_skip_the_genres_fixed_texts(examples):
    """Exam fact questions and encyclopedia term definitions read the same in every corpus."""
    fixed = [fact[1] for fact in zh_exam.FACTS] + [definition[:30] for definition in zh_encyclopedia.FIN_TERMS.values()]
    clean = [e["text"] for e in examples if e["group"] == "clean"]
    assert not [text for text in clean for snippet in fixed if snippet in text]


def test_training_texts_share_no_sentence_with_the_plants(examples):
    runs: set[str] = set()
    for category in CATEGORIES:
        for lang in ("zh", "en"):
            for text in plant_texts(category, lang):
                runs.update(text[i:i + SHARED_RUN] for i in range(len(text) - SHARED_RUN + 1))
    for e in examples:
        text = e["text"]
        shared = [text[i:i + SHARED_RUN] for i in range(len(text) - SHARED_RUN + 1) if text[i:i + SHARED_RUN] in runs]
        assert not shared, (e["group"], e["labels"], shared[0])


@pytest.mark.parametrize("kwargs, message", [
    ({"categories": ["porn", "fraud"]}, "unknown harmful category 'fraud'; known: violence, porn"),
    ({"categories": "porn"}, "list of category names"),
    ({"categories": []}, "at least one category"),
    ({"categories": ["porn", "porn"]}, "twice"),
    ({"per_category": -1}, "per_category must be >= 0"),
    ({"clean": 2.5}, "clean must be an integer"),
    ({"hard_negative": True}, "hard_negative must be an integer"),
    ({"seed": "7"}, "seed must be an integer"),
])
def test_argument_mistakes_are_named(kwargs, message):
    arguments = {"seed": 1, "per_category": 1, "clean": 1, "hard_negative": 1, **kwargs}
    seed = arguments.pop("seed")
    with pytest.raises(ValueError, match=re.escape(message)):
        labelled_examples(seed, **arguments)


# -- keywords ---------------------------------------------------------------------------------

def test_keyword_file_has_every_category_in_both_languages(keywords):
    assert set(keywords) == set(CATEGORIES)
    for category, langs in keywords.items():
        for lang in ("zh", "en"):
            assert 15 <= len(langs[lang]) <= 40, (category, lang, len(langs[lang]))


def test_planted_documents_contain_two_keywords_of_their_category(keywords):
    for category in CATEGORIES:
        for lang in ("zh", "en"):
            texts = plant_texts(category, lang)
            found = sum(len(keyword_hits(text, keywords[category][lang], lang)) >= 2 for text in texts)
            assert found >= 0.8 * len(texts), (category, lang, found)


def test_training_harmful_texts_mostly_contain_keywords(examples, keywords):
    harmful_texts = [e for e in examples if e["group"] == "harmful"]
    found = [e for e in harmful_texts if len(keyword_hits(e["text"], keywords[e["labels"][0]][e["lang"]], e["lang"])) >= 2]
    assert len(found) >= 0.8 * len(harmful_texts)


@pytest.mark.parametrize("content, message", [
    ("fraud: {zh: [骗]}", "unknown category 'fraud'"),
    ("porn: {fr: [x]}", "unknown language 'fr'"),
    ("porn: {zh: 成人}", "porn.zh must be a non-empty list"),
    ("porn: {zh: ['', 成人]}", "porn.zh: every keyword must be a non-empty string"),
    ("porn: [成人]", "porn must map languages"),
    ("- porn", "expected a mapping"),
    ("porn: {zh: [成人", "not valid YAML"),
])
def test_keyword_file_mistakes_name_the_file_and_key(tmp_path, content, message):
    path = tmp_path / "keywords.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        load_harmful_keywords(path)
    assert str(path) in str(error.value)


def test_a_keyword_file_may_name_some_categories_and_languages(tmp_path):
    path = tmp_path / "keywords.yaml"
    path.write_text("gambling: {zh: [赌场, 赌场, 百家乐]}\n", encoding="utf-8")
    assert load_harmful_keywords(path) == {"gambling": {"zh": ["赌场", "百家乐"], "en": []}}


# -- the plants -------------------------------------------------------------------------------

@pytest.mark.parametrize("category", ["reactionary", "wrong_values"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_new_plant_categories_produce_documents(category, lang):
    articles = [harmful.make(category, random.Random(index), lang) for index in range(20)]
    for article in articles:
        assert article.genre == "harmful" and article.meta == {"category": category} and article.lang == lang
        assert MIN_CHARS <= len(article.main_text()) <= MAX_CHARS
    assert len({article.main_text() for article in articles}) >= 0.8 * len(articles)


def test_plant_categories_match_the_training_set_defaults_and_schema():
    assert set(harmful.CATEGORIES) == set(CATEGORIES)
    assert set(DEFAULT_PLANTS["harmful"]) == set(CATEGORIES)
    schema = yaml.safe_load((REPO / "config" / "schema.yaml").read_text(encoding="utf-8"))
    plants = schema["properties"]["corpus"]["properties"]["plants"]["properties"]["harmful"]["properties"]
    assert set(plants) == set(CATEGORIES)
