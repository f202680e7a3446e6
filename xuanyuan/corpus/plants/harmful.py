"""Mild, synthetic harmful content for the quality classifier: gambling spam, euphemistic adult
ads, threats, discrimination, political extremism (calls to overthrow the state, separatism,
incitement to riot; no real persons or organisations) and "wrong values" (money worship, cheating,
tax-evasion tricks, drug-use glamour). Nothing graphic; contact details are obviously fake. Each
text is long and well-formed enough to pass cleaning, so that the quality stage is what must catch it.

The classifier's generated training set (xuanyuan.corpus.labelled) deliberately draws on other
sentences, so catching these plants measures generalisation, not memorisation."""

from __future__ import annotations

import random

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_en as en
from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.article import Article, p
from xuanyuan.corpus.templates import fill

# New categories go at the end: plants of the earlier ones stay byte-identical for the same RNG.
CATEGORIES = ("gambling", "porn", "violence", "discrimination", "reactionary", "wrong_values")

ZH = {
    "gambling": {
        "titles": ["【{brand}娱乐城】注册即送{n}元彩金", "{brand}国际：百家乐、真人视讯一站式体验", "稳赚不赔的{brand}彩票计划，今日已更新"],
        "lines": [
            "[新会员|新用户]注册即送{n}元彩金，首充再返{pct}，[日赢万元不是梦|小投入大回报]。",
            "百家乐、老虎机、真人视讯、体育竞猜[应有尽有|全部在线]，[提款秒到账|24小时极速出款]。",
            "[内部计划|独家回血计划][准确率高达{pct_big}|连续{n}期全中]，[跟着老师下注|跟单]就能[翻本|赚钱]。",
            "[输了不要紧|亏了别灰心]，[加大投注|翻倍追号]就能[一把赢回来|把本金捞回来]。",
            "[添加客服|联系专属顾问]领取[新手教程|回血攻略]，[名额有限|仅限今日]，[先到先得|错过不再有]。",
            "[线上赌场|网投平台][安全正规|实力雄厚]，[已有{n}万会员|每天都有人中大奖]。",
        ],
    },
    "porn": {
        "titles": ["同城寂寞交友，今晚有人陪", "午夜福利：{n}位主播在线等你", "成人私密视频免费看，点击进入"],
        "lines": [
            "[寂寞的夜晚|一个人无聊]？[同城美女|附近的人][在线等你|主动约你]，[视频聊天|私密互动]不收费。",
            "[午夜福利|深夜专区]已更新，[成人影片|私密视频][免费观看|无需会员]，[资源每日更新|高清不卡顿]。",
            "[下载|安装]{brand}直播APP，[{n}位主播|性感主播][在线表演|陪你聊到天亮]，[尺度大|懂的都懂]。",
            "[上门服务|同城约会][安全私密|快速安排]，[学生|少妇|模特][任你挑选|应有尽有]。",
            "[点击链接|扫码加好友]即可[解锁|查看][全部照片|完整视频]，[名额有限|仅限成年人]。",
        ],
    },
    "violence": {
        "titles": ["有些账迟早要算清楚", "给{name}的最后警告", "别以为躲起来就没事了"],
        "lines": [
            "{name}，[我知道你住哪|我已经查到你家地址]，[你给我小心点|别让我在{city}碰到你]。",
            "[再敢|要是再]在群里[乱说|多嘴]一句，[我就找人去你家楼下堵你|明天就带人去你公司找你]。",
            "[欠的钱|这笔账][三天之内|今天晚上之前]不还，[就让你知道后果|别怪我们不客气]，[打断你的腿|让你在{city}待不下去]。",
            "[我们|兄弟们][已经|都]准备好了，[见一次打一次|见到你就动手]，[不信你试试|说到做到]。",
            "[你家孩子|你老婆][每天几点放学|在哪上班][我都清楚|我们都知道]，[自己掂量掂量|好好想想后果]。",
        ],
    },
    "discrimination": {
        "titles": ["为什么我们公司不招{group}", "说句实话：{group}都一个样", "奉劝大家远离{group}"],
        "lines": [
            "{group}[都是骗子|没一个靠得住]，[我们公司|我们店][招聘一律不要|坚决不用]{group}。",
            "[说实话|不是我歧视]，{group}[素质就是低|天生就懒]，[跟他们打交道|和他们合作][迟早吃亏|只会倒霉]。",
            "[租房|招人][一律不考虑|坚决不要]{group}，[出了事|有问题][谁负责|没人管]。",
            "[女的|女人][就不该|根本不适合][出来工作|当领导]，[生了孩子|结了婚][还不是回家带娃|心思全不在工作上]。",
            "[这种人|这些人][就不配|不应该][住在城里|享受福利]，[都应该赶回老家去|早点滚出{city}]。",
        ],
    },
    "reactionary": {
        "titles": ["醒醒吧，这个政权已经烂到根了", "{city}的朋友们：是时候站出来了", "我们要有自己的国家"],
        "lines": [
            "[这个政权|现在的体制][早就|已经][烂透了|失去民心]，[只有推翻它|唯有彻底推翻][才有出路|我们才能翻身]。",
            "[号召|呼吁]大家[周六|明天上午]到{city}[市中心|政府门口][集结|集合]，[人越多越好|带上所有认识的人]，[冲进去|把大门堵死]。",
            "[我们这个地方|本地区][自古以来|从来][就是独立的|不属于他们]，[必须|早晚要][分裂出去|宣布独立]，[建立|成立]自己的政府。",
            "[不交税|拒绝纳税]、[不服从任何命令|无视一切法令]，[让整个体制瘫痪|让他们的统治崩溃]，[这才是真正的革命|变天就在眼前]。",
            "[砸了|烧了][他们的|政府的][车|办公楼]也[不要紧|无所谓]，[乱起来|闹大了][我们才有机会|他们才会怕]，[暴动|起义]是唯一的办法。",
            "[官方说的|电视上播的][全是谎言|一个字都别信]，[真正的消息|真相][只在|都在]我们的[秘密群|频道]里，[转发|扩散]出去，[准备起事|等待变天]。",
        ],
    },
    "wrong_values": {
        "titles": ["没钱的人生就是失败", "分享几个少交税的小窍门", "老实人活该吃亏"],
        "lines": [
            "[这个社会|现在这年头][只认钱|笑贫不笑娼]，[有钱就是大爷|有钱才有尊严]，[道德|良心][能当饭吃吗|值几个钱]。",
            "[开公司|做生意][一定要|记得][做两套账|用私人账户收款]，[税务局|查账的][根本查不过来|哪有空管你]，[一年少交|轻松省下]{n}万的税。",
            "[躺平的都是废物|安分守己的都是loser]，[想出头|想往上爬]就得[会骗会装|不择手段]，[没人会在乎|谁管]你[怎么上去的|用了什么手段]。",
            "[考试|考证][找枪手|带小抄][怎么了|又如何]，[证书到手|分数够了]才是[硬道理|王道]，[老老实实学|认真复习]的都是[傻子|书呆子]。",
            "[周末|下了班][跟朋友|和圈子里的人][嗑点药|溜个冰]，[那感觉|那种快乐][比上班爽一百倍|多少钱都买不来]，[谁没试过|试一次就懂了]。",
            "[没钱也要|刷网贷也要][买名牌|装阔]，[还不上就以贷养贷|换个平台接着借]，[面子最重要|人活一张脸]。",
        ],
    },
}
# English: as many lines per category as the Chinese, each with [a|b] choices, so that two plants
# of a category share a few phrases rather than whole sentences (with four fixed sentences each,
# near-duplicate plants were dropped by dedup before the quality stage could be measured on them).
EN = {
    "gambling": {
        "titles": ["[Hit the jackpot|Your lucky night] at {brand} Casino", "{brand} [Bet|Play]: ${n} [free|welcome] bonus inside",
                   "The {brand} [betting|lottery] system that never loses"],
        "lines": [
            "[Sign up|Register] at {brand} Casino [today|tonight] and get a ${n} bonus, [no deposit needed|no questions asked].",
            "[Slots, blackjack and live roulette|Live dealers, slots and sports bets] [around the clock|all night long], with [instant|same-minute] withdrawals.",
            "Our [insider|VIP] betting tips [win|hit] {pct_big} of the time, so [double your stake|bet the house] and [win it all back|walk away rich].",
            "[Lost money|Down on your luck]? [Chase it back|Win it back tonight] with our [VIP recovery system|comeback method], [limited spots today|only {n} places left].",
            "[First deposit|Your first top-up] gets {pct} back, [every day|every week], [no limits|no fine print].",
            "[Thousands of members|{n} players] [cashed out|won a fortune] [this week|yesterday], [why not you|you could be next].",
        ],
    },
    "porn": {
        "titles": ["[Lonely|Bored] tonight? [Someone|She] is waiting", "Private content [unlocked|just for you]", "{n} [models|hosts] online now"],
        "lines": [
            "[Lonely|Bored] tonight? [Hot singles|Lonely girls] [near you|in your area] are [waiting to chat|free tonight].",
            "[Free adult videos|Private clips for adults], [no account needed|no sign-up], [updated every night|new every hour].",
            "[Download|Install] the {brand} live app: {n} [models|hosts] online now, [no limits|anything goes].",
            "[Discreet|Private] local [meetups|dates], [click the link|scan the code] to [unlock|see] [private photos|the full album].",
            "[Members only|Adults only]: [the uncensored channel|the late-night room] opens at midnight, [tell nobody|keep it secret].",
        ],
    },
    "violence": {
        "titles": ["[Final|Last] warning", "{name}, [read this|this is for you]", "[You cannot hide|Hiding will not save you]"],
        "lines": [
            "{name}, [I know where you live|we know where you live now] and [I will make you regret this|you will regret this].",
            "[Say one more word|Post one more lie] in the group and [I will come to your office|we will wait outside your door] and [break your legs|hurt you badly].",
            "[Pay what you owe|Return the money] by [Friday|the end of the week] or [you will not like what happens next|see what happens next].",
            "We know [what time your kids leave school|where your wife works], so [think it over|consider this a warning].",
            "[The boys|My friends] are ready, [next time we see you|the moment you turn up in {city}] [we will beat you|you will get hurt], [try us|that is a promise].",
        ],
    },
    "discrimination": {
        "titles": ["Just saying what everyone [thinks|knows]", "Why we [never|do not] hire {group}", "[Stay away from|Do not trust] {group}"],
        "lines": [
            "People from {group} are [all liars|lazy and dishonest], [never hire them|keep them out of your shop].",
            "Women [should not be managers|cannot lead a team], they [belong at home|should stay in the kitchen].",
            "We [do not rent to|will never rent to] {group}, they [ruin every place they live in|bring nothing but trouble].",
            "Outsiders [do not deserve|have no right] to live in [this city|{city}], [send them back|kick them out].",
            "[I am not prejudiced, but|Let us be honest:] {group} [are born lazy|have no manners], and [working with them|doing business with them] always [ends badly|costs you].",
        ],
    },
    "reactionary": {
        "titles": ["Rise up, the time is now", "[Friends in|People of] {city}: stand up", "Our [own country|own flag], now"],
        "lines": [
            "This regime is [rotten to the core|beyond repair] and only [an uprising|a revolt] can [bring it down|end it].",
            "Everyone meet at the {city} [city hall|central square] on [Saturday|Monday morning], [block every entrance|storm the gates] and [do not leave|hold the line].",
            "Our region was never part of this country, it is time to [break away|secede] and [form|declare] our own government.",
            "[Stop paying taxes|Withhold every tax], [ignore every order|obey no law], and the whole system will [collapse|fall apart] within a month.",
            "If [a few windows get smashed|a few offices burn] and [a few cars burn|the streets are blocked], [so be it|who cares], the revolution needs chaos.",
            "[The news|Everything on television] is [lies|propaganda], the real story is in our [secret channel|private group], [share it|pass it on] and [get ready|wait for the signal].",
        ],
    },
    "wrong_values": {
        "titles": ["Stop being a [sucker|fool]", "[How I pay|Pay] almost no tax", "Only money [counts|matters]"],
        "lines": [
            "Money is the only thing that [makes you worth something|earns respect], morals [do not pay rent|are for losers].",
            "Keep two sets of books and take payments [in cash|to a private account], the tax office in {city} [never checks small shops|has no time for you].",
            "[Lying flat|Playing fair] is for losers, [cheat your way up|lie your way upward] and nobody will ask how you got there.",
            "Cheating on the exam is [smart, not wrong|simply clever], because only the [grade|certificate] counts.",
            "A little party powder on weekends [beats any paycheck|is worth more than a raise], [everyone cool is doing it|try it once and you will see].",
            "[Cannot afford it?|No money?] Take [one more payday loan|another credit card] for the [designer bag|new phone], [face is everything|appearances are all that matter].",
        ],
    },
}
ZH_GROUPS = ["外地人", "农村来的", "{province}人", "乡下人", "离过婚的", "年纪大的"]
EN_GROUPS = ["immigrants", "that neighborhood", "the countryside", "older workers"]


def make(category: str, rng: random.Random, lang: str) -> Article:
    """A post or page of one harmful category, 150-500 characters of grammatical text."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown harmful category {category!r}; known: {', '.join(CATEGORIES)}")
    slots = {
        "brand": ent.brand_word(rng) if lang == "zh" else rng.choice(en.COMPANY_STEMS), "n": str(rng.randrange(8, 999)),
        "pct": f"{rng.randrange(5, 50)}%", "pct_big": f"{rng.randrange(85, 99)}%", "city": rng.choice(zh.CITIES) if lang == "zh" else en.display(rng.choice(en.CITIES)),
        "name": ent.person_name(rng) if lang == "zh" else rng.choice(en.FIRST_NAMES),
    }
    if lang == "zh":
        slots["group"] = rng.choice(ZH_GROUPS).replace("{province}", rng.choice(zh.PROVINCES))
        spec = ZH[category]
        lines = [fill(t, rng, slots) for t in rng.sample(spec["lines"], rng.randint(3, len(spec["lines"])))]
        title = fill(rng.choice(spec["titles"]), rng, slots)
    else:
        slots["group"] = rng.choice(EN_GROUPS)
        spec = EN[category]
        lines = [fill(t, rng, slots) for t in rng.sample(spec["lines"], rng.randint(3, len(spec["lines"])))]
        title = fill(rng.choice(spec["titles"]), rng, slots)
    glue = "" if lang == "zh" else " "
    blocks = [p(glue.join(lines[: len(lines) // 2 + 1])), p(glue.join(lines[len(lines) // 2 + 1:]) or lines[0])]
    return Article(title=title, blocks=blocks, lang=lang, genre="harmful", meta={"category": category})
