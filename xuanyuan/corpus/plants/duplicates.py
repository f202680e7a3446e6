"""Near-duplicate variants of an article: small character edits, reordered paragraphs."""

from __future__ import annotations

import copy
import random

from xuanyuan.corpus.article import Article

ZH_FILLER = "的了在是和有这个们中大为上来到时地说要就出会也对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱争"
EN_WORDS = "the a of and to in is was for on that with as by at from it this be are have has not but they their which new more also about after first two many other years time"


def _edit_text(text: str, rng: random.Random, rate: float, lang: str) -> tuple[str, int]:
    """Replace, delete or insert short spans until about `rate` of the characters changed."""
    chars = list(text)
    budget = max(1, int(len(chars) * rate))
    changed = 0
    while changed < budget and chars:
        position = rng.randrange(len(chars))
        span = rng.randint(1, 3)
        op = rng.random()
        if op < 0.6:
            for offset in range(span):
                if position + offset < len(chars) and chars[position + offset] not in "\n":
                    chars[position + offset] = rng.choice(ZH_FILLER) if lang == "zh" else rng.choice("etaoinshrdlu")
                    changed += 1
        elif op < 0.8:
            del chars[position:position + span]
            changed += span
        else:
            insert = [rng.choice(ZH_FILLER) for _ in range(span)] if lang == "zh" else list(" " + rng.choice(EN_WORDS.split()))
            chars[position:position] = insert
            changed += len(insert)
    return "".join(chars), changed


def small_edit(article: Article, rng: random.Random, rate: float) -> tuple[Article, float]:
    """A copy with about `rate` (0.02-0.05) of the paragraph characters replaced, deleted or inserted."""
    clone = copy.deepcopy(article)
    total = changed = 0
    for block in clone.blocks:
        if block.kind in ("p", "quote") and block.text:
            total += len(block.text)
            block.text, n = _edit_text(block.text, rng, rate, article.lang)
            changed += n
    return clone, changed / max(1, total)


def reorder_paragraphs(article: Article, rng: random.Random) -> Article:
    """A copy with its paragraphs shuffled (headings and tables stay where they were)."""
    clone = copy.deepcopy(article)
    slots = [i for i, block in enumerate(clone.blocks) if block.kind == "p"]
    texts = [clone.blocks[i].text for i in slots]
    for _ in range(5):
        rng.shuffle(texts)
        if len(texts) < 2 or texts != [clone.blocks[i].text for i in slots]:
            break
    for i, text in zip(slots, texts):
        clone.blocks[i].text = text
    return clone


def char_shingles(text: str, n: int = 5) -> set[str]:
    compact = "".join(text.split())
    return {compact[i:i + n] for i in range(max(0, len(compact) - n + 1))}


def jaccard(a: str, b: str, n: int = 5) -> float:
    """Char n-gram Jaccard on whitespace-free text, the similarity the dedup stage thresholds."""
    sa, sb = char_shingles(a, n), char_shingles(b, n)
    return len(sa & sb) / max(1, len(sa | sb))
