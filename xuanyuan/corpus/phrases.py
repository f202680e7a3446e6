"""Real Chinese words from OpenCC's phrase dictionary, a large free vocabulary for names and titles.

The dictionary maps simplified phrases to traditional ones; only the simplified side is used.
Words with characters that would make an innocent brand or landmark name offensive are skipped.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

_CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
# Characters that read as violent, sexual, morbid or vulgar in a name.
_AVOID = set("死尸杀毒奸淫屎尿屁妓嫖娼赌贼匪盗枪炮弹血棺丧鬼魔妖癌瘟病痛疮瘤蛆粪裸阴乳臀骂蠢贱狗猪奴")


@functools.lru_cache(maxsize=None)
def _all_words() -> tuple[str, ...]:
    try:
        import opencc  # noqa: F401  (only its data file is used)
    except ImportError:
        return ()
    path = Path(opencc.__file__).parent / "dictionary" / "STPhrases.txt"
    if not path.exists():
        return ()
    words: list[str] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            word = line.split("\t", 1)[0].strip()
            if 2 <= len(word) <= 4 and _CJK_ONLY.match(word) and not (_AVOID & set(word)):
                words.append(word)
    return tuple(sorted(set(words)))


# Function words, numerals and common verbs: a word containing one rarely makes a good name.
_NOT_NAMELIKE = set(
    "了着过的地得么吗呢吧啊嘛哦出进来去向回到打摆放拿说看听想做被把给让叫使将从对在于与和及或而且但就都也还又再才只"
    "很太最更不没无非未别每各某该此其这那哪谁什怎几个些点下上中里外前后左右一二三四五六七八九十百千万两痒吃喝拉撒"
)


@functools.lru_cache(maxsize=None)
def phrase_words(length: int) -> tuple[str, ...]:
    """Dictionary words of exactly `length` characters (empty when opencc is not installed)."""
    return tuple(word for word in _all_words() if len(word) == length)


@functools.lru_cache(maxsize=None)
def name_words() -> tuple[str, ...]:
    """Two-character dictionary words without function words or common verbs: name material."""
    return tuple(word for word in phrase_words(2) if not (_NOT_NAMELIKE & set(word)))
