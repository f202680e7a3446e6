"""A labelled training set for the harmful-content classifier, generated under a seed.

`labelled_examples` returns three groups of short web-like texts (60-600 characters, zh:en about
3:1 in every group):
  harmful        composed from xuanyuan.corpus.harmful_training, labelled with their category.
                 Those phrase banks share vocabulary but no sentences with the corpus plants
                 (xuanyuan.corpus.plants.harmful), so catching the plants tests generalisation.
  clean          passages cut from the corpus genre composers (news, encyclopedia, forum, exam,
                 reports, announcements, English web), under seeds of their own so that they
                 are not copies of corpus documents; every block kind as extraction writes it
                 (headings, paragraphs, list items, markdown tables).
  hard_negative  legitimate texts in a category's vocabulary: police news, court reports,
                 textbook paragraphs, health and anti-fraud advice. Labels [].

`load_harmful_keywords` reads the keyword lists (config/lexicons/harmful_keywords.yaml) that the
quality stage's keyword-sampling step uses.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import harmful_training as bank
from xuanyuan.corpus import lexicon_en as en
from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.article import Article
from xuanyuan.corpus.generate import YEARS
from xuanyuan.corpus.genres import en_web, zh_announcement, zh_encyclopedia, zh_exam, zh_finance_news, zh_forum, zh_news, zh_report
from xuanyuan.corpus.templates import fill
from xuanyuan.extract.markdown import table_to_markdown

CATEGORIES = ("violence", "porn", "discrimination", "reactionary", "gambling", "wrong_values")
LANGS = ("zh", "en")
EN_SHARE = 0.25  # zh:en = 3:1, the recipe's language mix
MIN_CHARS, MAX_CHARS = 60, 600
# (shortest, longest, weight): comment-like, paragraph-like and long-post texts. Every group
# draws from the same spread, so that length tells the classifier nothing about the label.
LENGTH_BANDS = ((60, 150, 0.35), (150, 350, 0.40), (350, 600, 0.25))
COMMENT_BAND_MAX = 150  # texts up to this length are composed as comments, not posts or ads
ZH_CLEAN_GENRES = ("zh_encyclopedia", "zh_news", "zh_finance_news", "zh_forum", "zh_exam", "zh_report", "zh_announcement")
EN_CLEAN_GENRES = ("en_web",)
# Salt of every RNG here: the corpus seeds its sources as f"{seed}:{source}", so clean passages
# come from other draws than the corpus documents of the same seed.
SEED_SALT = "labelled"
# Redraws allowed for one text (too short, too long, or a duplicate) before giving up.
MAX_ATTEMPTS = 50
ZH_BULLETS = ("✅", "★", "▶", "●", "")
EN_BULLETS = ("- ", "* ", ">> ", "")
ZH_SENTENCE_ENDS = "。！？；"
EN_SENTENCE_ENDS = ".!?"


# -- public API -------------------------------------------------------------------------------

def labelled_examples(seed: int, *, per_category: int, clean: int, hard_negative: int,
                      categories: Sequence[str] = CATEGORIES) -> list[dict]:
    """Each: {"text": str, "labels": [category] (or [] for clean), "lang": "zh"|"en", "group": "harmful"|"clean"|"hard_negative"}

    `per_category` harmful texts per category, `clean` ordinary passages, `hard_negative` clean
    texts spread round-robin over `categories`. Same arguments give the identical list; each
    group has its own RNG, so changing one count leaves the other groups' texts as they were.
    """
    _check_int("seed", seed, minimum=None)
    for name, value in (("per_category", per_category), ("clean", clean), ("hard_negative", hard_negative)):
        _check_int(name, value, minimum=0)
    chosen = _check_categories(categories)
    seen: set[str] = set()  # no text twice, so a train/held-out split never leaks
    out: list[dict] = []
    for category in chosen:
        rng = _rng(seed, "harmful", category)
        for lang in _langs(per_category, rng):
            text = _distinct(lambda: _harmful_text(category, lang, rng), seen, f"harmful {category} ({lang})")
            out.append(_example(text, [category], lang, "harmful"))
    rng = _rng(seed, "hard_negative")
    for index, lang in enumerate(_langs(hard_negative, rng)):
        category = chosen[index % len(chosen)]
        text = _distinct(lambda: _hard_negative_text(category, lang, rng), seen, f"hard negative {category} ({lang})")
        out.append(_example(text, [], lang, "hard_negative"))
    rng = _rng(seed, "clean")
    composers = _clean_composers(rng)
    for lang in _langs(clean, rng):
        text = _distinct(lambda: _clean_text(lang, rng, composers), seen, f"clean ({lang})")
        out.append(_example(text, [], lang, "clean"))
    _rng(seed, "order").shuffle(out)
    return out


def load_harmful_keywords(path: str | Path) -> dict[str, dict[str, list[str]]]:
    """category -> {"zh": [...], "en": [...]} from a YAML keyword file; a bad shape is a ValueError naming the file and key."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{path}: expected a mapping of category -> {{zh: [...], en: [...]}}, got {type(data).__name__}")
    out: dict[str, dict[str, list[str]]] = {}
    for category, langs in data.items():
        if category not in CATEGORIES:
            raise ValueError(f"{path}: unknown category {category!r}; known: {', '.join(CATEGORIES)}")
        if not isinstance(langs, dict) or not langs:
            raise ValueError(f"{path}: {category} must map languages (zh, en) to keyword lists, got {langs!r}")
        out[category] = {lang: [] for lang in LANGS}
        for lang, words in langs.items():
            where = f"{path}: {category}.{lang}"
            if lang not in LANGS:
                raise ValueError(f"{path}: {category}: unknown language {lang!r}; known: {', '.join(LANGS)}")
            if not isinstance(words, list) or not words:
                raise ValueError(f"{where} must be a non-empty list of keywords, got {words!r}")
            for word in words:
                if not isinstance(word, str) or not word.strip():
                    raise ValueError(f"{where}: every keyword must be a non-empty string, got {word!r}")
            # Repeats would count twice towards "distinct keywords"; keep the first of each.
            out[category][lang] = list(dict.fromkeys(word.strip() for word in words))
    return out


# -- validation -------------------------------------------------------------------------------

def _check_int(name: str, value: Any, minimum: int | None) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def _check_categories(categories: Sequence[str]) -> list[str]:
    """The chosen categories in canonical order (so the argument's order does not change the output)."""
    if isinstance(categories, str) or not isinstance(categories, Sequence):
        raise ValueError(f"categories must be a list of category names, got {categories!r}; known: {', '.join(CATEGORIES)}")
    if not categories:
        raise ValueError(f"categories must name at least one category; known: {', '.join(CATEGORIES)}")
    for category in categories:
        if category not in CATEGORIES:
            raise ValueError(f"unknown harmful category {category!r}; known: {', '.join(CATEGORIES)}")
    if len(set(categories)) != len(categories):
        raise ValueError(f"categories lists a category twice: {list(categories)!r}")
    return [category for category in CATEGORIES if category in categories]


# -- shared helpers ---------------------------------------------------------------------------

def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random(":".join([SEED_SALT, str(seed), *parts]))


def _langs(count: int, rng: random.Random) -> list[str]:
    """`count` languages, exactly round(count * EN_SHARE) of them English, in a seeded order."""
    n_en = int(count * EN_SHARE + 0.5)
    langs = ["en"] * n_en + ["zh"] * (count - n_en)
    rng.shuffle(langs)
    return langs


def _target_length(rng: random.Random) -> int:
    low, high, _ = rng.choices(LENGTH_BANDS, weights=[band[2] for band in LENGTH_BANDS])[0]
    return rng.randint(low, high)


def _distinct(make: Callable[[], str | None], seen: set[str], what: str) -> str:
    for _ in range(MAX_ATTEMPTS):
        text = make()
        if text is not None and MIN_CHARS <= len(text) <= MAX_CHARS and text not in seen:
            seen.add(text)
            return text
    raise RuntimeError(f"could not compose a new {what} text in {MAX_ATTEMPTS} attempts; "
                       "the phrase banks in xuanyuan/corpus/harmful_training.py are too small for this many examples")


def _example(text: str, labels: list[str], lang: str, group: str) -> dict:
    return {"text": text, "labels": labels, "lang": lang, "group": group}


def _slots(rng: random.Random, lang: str) -> dict[str, Callable[[], str]]:
    """Slot values drawn lazily, so a text draws only what its templates use. Contacts are
    obviously fake: .example addresses (RFC 2606), 555-01xx numbers, *_demo handles."""
    latin = lambda: rng.choice(en.COMPANY_STEMS).lower()  # noqa: E731
    common: dict[str, Callable[[], str]] = {
        "n": lambda: str(rng.randrange(3, 500)), "n2": lambda: str(rng.randrange(2, 30)),
        "nn": lambda: f"{rng.randrange(100):02d}", "hour": lambda: str(rng.randrange(7, 12)), "years": lambda: str(rng.randrange(1, 13)),
        "money": lambda: str(rng.choice([100, 200, 300, 500, 888, 1000, 2000, 5000, 8888, 10000, 50000])),
        "pct": lambda: f"{rng.randrange(1, 30)}%", "pct_big": lambda: f"{rng.randrange(80, 99)}%",
        "url": lambda: f"www.{latin()}{rng.randrange(10, 999)}.example",
        "code": lambda: f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randrange(100, 999)}",
        "contact": lambda: f"{latin()}_{rng.randrange(100, 9999)}_demo",
    }
    if lang == "zh":
        return {**common,
                "brand": lambda: ent.brand_word(rng), "city": lambda: rng.choice(zh.CITIES), "name": lambda: ent.person_name(rng),
                "group": lambda: rng.choice(bank.ZH_TARGET_GROUPS).replace("{province}", rng.choice(zh.PROVINCES)),
                "qq": lambda: f"000{rng.randrange(10000, 99999)}", "place": lambda: rng.choice(bank.ZH_PLACES),
                "town": lambda: ent.town_name(rng), "date": lambda: f"{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日",
                "school": lambda: rng.choice(zh.CITIES) + "市" + rng.choice(bank.ZH_SCHOOLS),
                "weekday": lambda: rng.choice(bank.ZH_WEEKDAYS)}
    return {**common,
            "brand": lambda: rng.choice(en.COMPANY_STEMS), "city": lambda: en.display(rng.choice(en.CITIES)),
            "name": lambda: rng.choice(en.FIRST_NAMES), "group": lambda: rng.choice(bank.EN_TARGET_GROUPS),
            "place": lambda: rng.choice(bank.EN_PLACES), "weekday": lambda: rng.choice(bank.EN_WEEKDAYS)}


def _grow(pieces: list[str], pool: list[str], rng: random.Random, slots: dict, target: int, glue: str) -> None:
    """Append sentences from `pool` (each template at most once) until the text reaches `target`."""
    for template in rng.sample(pool, len(pool)):
        if len(glue.join(pieces)) >= target:
            return
        pieces.append(fill(template, rng, slots))


def _fit(head: list[str], body: list[str], tail: list[str], render: Callable[[list[str], list[str], list[str]], str]) -> str | None:
    """Drop body sentences from the end (then the tail) until the text fits MAX_CHARS."""
    while len(render(head, body, tail)) > MAX_CHARS and len(body) > 1:
        body.pop()
    if len(render(head, body, tail)) > MAX_CHARS and tail:
        tail = []
    text = render(head, body, tail)
    return text if MIN_CHARS <= len(text) <= MAX_CHARS else None


# -- harmful ----------------------------------------------------------------------------------

def _harmful_text(category: str, lang: str, rng: random.Random) -> str | None:
    """A comment, a forum post or an ad of one category, composed from the training bank."""
    pools = bank.HARMFUL[lang][category]
    slots = _slots(rng, lang)
    target = _target_length(rng)
    glue = "" if lang == "zh" else " "
    shape = "comment" if target <= COMMENT_BAND_MAX else rng.choice(("post", "ad"))
    if shape == "comment":
        first = rng.randrange(len(pools["comments"]))
        body = [fill(pools["comments"][first], rng, slots)]
        others = [t for index, t in enumerate(pools["comments"]) if index != first]
        _grow(body, others + pools["claims"], rng, slots, target, glue)
        return _fit([], body, [], lambda h, b, t: glue.join(_punctuated(b, lang)))
    head = [fill(rng.choice(pools["hooks"]), rng, slots)]
    body: list[str] = []
    _grow(body, pools["claims"], rng, slots, target, glue)
    tail = [fill(rng.choice(pools["calls"]), rng, slots)] if rng.random() < 0.6 else []
    if shape == "post":
        if rng.random() < 0.3:
            body.append(fill(rng.choice(pools["comments"]), rng, slots))
        end = rng.choice(["！", "：", "。"] if lang == "zh" else ["! ", ": ", ". "])
        return _fit(head, body, tail, lambda h, b, t: _post(h, b, t, lang, end))
    bullet = rng.choice(ZH_BULLETS if lang == "zh" else EN_BULLETS)
    return _fit(head, body, tail, lambda h, b, t: "\n".join(h + [bullet + line for line in b] + t))


def _punctuated(sentences: list[str], lang: str) -> list[str]:
    """Comments are written without final punctuation; add it where a sentence lacks it."""
    ends = ZH_SENTENCE_ENDS + "”）" if lang == "zh" else EN_SENTENCE_ENDS + ")"
    mark = "。" if lang == "zh" else "."
    return [s if s[-1] in ends else s + mark for s in sentences]


def _post(head: list[str], body: list[str], tail: list[str], lang: str, end: str) -> str:
    """Headline and body as one paragraph (a second one when long), the call on its own line."""
    glue = "" if lang == "zh" else " "
    sentences = _punctuated(body, lang)
    if head[0][-1] in ZH_SENTENCE_ENDS + EN_SENTENCE_ENDS + "？！":  # the headline has its own mark
        end = glue
    if len(sentences) >= 4:  # long posts break into two paragraphs, as people write them
        middle = len(sentences) // 2
        paragraphs = [head[0] + end + glue.join(sentences[:middle]), glue.join(sentences[middle:])]
    else:
        paragraphs = [head[0] + end + glue.join(sentences)]
    return "\n".join(paragraph.replace("  ", " ").strip() for paragraph in paragraphs + tail)


# -- hard negatives ---------------------------------------------------------------------------

def _hard_negative_text(category: str, lang: str, rng: random.Random) -> str | None:
    """A news item, court report, textbook or advice paragraph in the category's vocabulary."""
    pools = rng.choice(bank.HARD[lang][category])  # one frame, so the passage stays on one subject
    slots = _slots(rng, lang)
    target = _target_length(rng)
    glue = "" if lang == "zh" else " "
    head = [fill(rng.choice(pools["leads"]), rng, slots)]
    body: list[str] = []
    _grow(body, pools["details"], rng, slots, target - len(head[0]), glue)
    tail = [fill(rng.choice(pools["closers"]), rng, slots)] if rng.random() < 0.6 else []
    split = rng.random() < 0.4  # some as two paragraphs, like an article; others as one block

    def render(h: list[str], b: list[str], t: list[str]) -> str:
        sentences = h + b + t
        if split and len(sentences) >= 3:
            return glue.join(sentences[:2]) + "\n" + glue.join(sentences[2:])
        return glue.join(sentences)

    return _fit(head, body, tail, render)


# -- clean ------------------------------------------------------------------------------------

def _clean_composers(rng: random.Random) -> dict[str, Callable[[], Article]]:
    """The corpus genre composers, minus their fixed-text entries: encyclopedia finance terms and
    exam fact questions read the same in every corpus, so passages from them would be copies."""
    every_fact = set(range(len(zh_exam.FACTS)))
    year = lambda: rng.choice(YEARS)  # noqa: E731
    return {
        "zh_encyclopedia": lambda: zh_encyclopedia.compose(rng, year(), kind=rng.choice(zh_encyclopedia.TOPICS)),
        "zh_news": lambda: zh_news.compose(rng, year()),
        "zh_finance_news": lambda: zh_finance_news.compose(rng, year()),
        "zh_forum": lambda: zh_forum.compose(rng, year()),
        "zh_exam": lambda: zh_exam.compose(rng, year(), used_facts=set(every_fact)),
        "zh_report": lambda: zh_report.compose(rng, year()),
        "zh_announcement": lambda: zh_announcement.compose(rng, year()),
        "en_web": lambda: en_web.compose(rng, year()),
    }


def _clean_text(lang: str, rng: random.Random, composers: dict[str, Callable[[], Article]]) -> str | None:
    """Consecutive paragraphs of one generated document, from a random start, cut to a target length."""
    genre = rng.choice(ZH_CLEAN_GENRES if lang == "zh" else EN_CLEAN_GENRES)
    article = composers[genre]()
    paragraphs = _extracted_blocks(article)
    if article.title and rng.random() < 0.3:
        paragraphs.insert(0, article.title)
    if not paragraphs:
        return None
    target = _target_length(rng)
    taken: list[str] = []
    for paragraph in paragraphs[rng.randrange(len(paragraphs)):]:
        if len("\n".join(taken)) >= target:
            break
        taken.append(paragraph)
    text = "\n".join(taken)
    if len(text) > MAX_CHARS:
        text = _cut_at_sentence(text, lang)
    return text


def _extracted_blocks(article: Article) -> list[str]:
    """The article's blocks as extraction writes them: headings, paragraphs, list items, markdown tables.

    Clean examples of every kind of text the filter reads. Trained on prose alone, the model had
    never seen a table row as clean: a span of `| - - - |` and numbers scored 0.99 porn, and the
    passage reader (xuanyuan.quality.passages) reads such spans of every report.
    """
    markdown = lambda table: table_to_markdown([table.header, *table.rows])  # noqa: E731
    return [text for text in article.block_texts(markdown) if text.strip()]


def _cut_at_sentence(text: str, lang: str) -> str | None:
    """The longest prefix within MAX_CHARS that ends a sentence (None if there is none)."""
    window = text[:MAX_CHARS]
    ends = ZH_SENTENCE_ENDS if lang == "zh" else EN_SENTENCE_ENDS
    cut = max(window.rfind(mark) for mark in ends + "\n")
    if cut < MIN_CHARS:
        return None
    return window[: cut + (0 if window[cut] == "\n" else 1)].rstrip()
