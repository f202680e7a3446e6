"""Chinese forum threads: a colloquial first post and a handful of short replies, with emoji."""

from __future__ import annotations

import random

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.article import Article, p
from xuanyuan.corpus.genres.zh_slots import base_slots
from xuanyuan.corpus.templates import TemplateDeck, fill, fill_many

BOARDS = {
    "股票": {
        "titles": ["{stock}今天这走势[大家怎么看|还能拿吗]？", "[新手|小白]求问：{stock}[该割肉还是补仓|现在能上车吗]", "[复盘|记录]一下我这[一年|半年]炒股的[心得|教训]", "{sector}板块[连续大涨|跌麻了]，[还有机会吗|是不是该跑了]"],
        "body": [
            "[去年|前年]{month}在{price}的位置买了{shares}股{stock}，[现在|到今天][亏了|赚了]{pct}，[心态有点崩|心里美滋滋]。",
            "[看了|研究了]一下{stock}的[财报|季报]，营收[还在涨|增速放缓了]，但[毛利率|现金流][有点难看|还可以]，[不知道|搞不懂]主力在想什么。",
            "[我|本人]的操作原则是[不追高|只做龙头|分批建仓]，[仓位|持仓]控制在{pct_big}以内，[目前|现在]手上还有{num_small}成现金。",
            "[今天|昨天]{index}[又|再次]{index_move}，{sector}[全线飘绿|涨停一片]，[我的账户|自选股][一片惨绿|难得翻红]。",
            "[有没有|求]懂{sector}的[大佬|老师]分析一下，[这个行业|{sector}][明年|接下来]的景气度[到底怎么样|还能不能持续]？",
            "[说实话|讲真]，[炒股|做股票]{num_small}年了，[最大的感受|最深的体会]就是[别听消息|控制回撤比什么都重要|耐心是最难的]。",
            "[上周|前天]刚把{stock}[清仓|减了一半]，结果[今天就涨停了|第二天就大涨]，[这就是A股吧|我真是服了自己]。",
        ],
        "replies": ["[拿着|别慌]，{stock}[基本面|业绩]没问题，[跌下来|回调]就是机会", "[我|俺]也[被套|站岗]在{price}，[同病相怜|抱团取暖]", "[别|不要]满仓，[留点子弹|控制好仓位]比啥都强", "{sector}[还得看|关键看]{driver}，[短期|一两个月]别指望[翻倍|大涨]", "[楼主|兄弟]心态不错，[我已经|早就][割了|卖飞了]", "[技术面|从K线]看[还没破位|已经破位了]，[设好止损|注意风险]"],
    },
    "理财": {
        "titles": ["[月薪|工资]{salary}，怎么[存钱|理财][比较靠谱|最合适]？", "[{fund_type}|定投]亏了{pct}，[要不要|该不该]止损？", "[大额存单|国债|货基][利率|收益]又降了，[钱放哪|还有啥选择]？", "[记账|理财]第{num_small}个月，[分享|晒一下]我的[预算表|存钱方法]"],
        "body": [
            "[本人|我]{age}岁，[在{city}上班|坐标{city}]，月[薪|收入]{salary}，[房租|房贷]{rent}，[每个月|每月]能存下来大概{save}。",
            "[现在|目前]手里[有|攒了]{savings}存款，[一半|大部分]放在[余额宝|银行活期|货币基金]，[收益|利息][低得可怜|聊胜于无]。",
            "[去年|前几个月][跟风|听同事推荐]买了{fund_name}，[到现在|目前][亏了|浮亏]{pct}，[天天|每天]看着[心慌|难受]。",
            "[看了|研究了]一圈，[大额存单|国债|银行理财]的[利率|年化]基本都[在|降到]{rate}左右了，[感觉|总觉得][不太划算|没什么意思]。",
            "[我的|个人]原则是[先存应急金|先还信用卡|不碰不懂的东西]，[然后|再][定投指数基金|买点国债|存定期]，[不求暴富|稳一点就行]。",
            "[想问问|请教]大家，[这个年纪|现在这种行情]，[应该|是不是该][多配债券|继续定投|存钱买房]？",
        ],
        "replies": ["[先|最好]留[半年|六个月]的[生活费|开销]做应急金，[剩下的|其他的]再考虑[投资|理财]", "[指数基金|定投]要[拿得住|坚持{num_small}年以上]才有意义", "[国债|大额存单][虽然|收益]低，[但是|可是]安心啊", "[别|不要][碰|买]看不懂的[产品|理财]，[尤其是|特别是]号称[保本高收益|稳赚不赔]的", "[楼主|你]这个[储蓄率|存钱速度][已经很厉害了|比我强多了]", "[我|我们家]是[记账|分账户]管钱的，[强烈推荐|亲测好用]"],
    },
    "汽车": {
        "titles": ["[预算|落地]{budget}万，{car}[怎么选|选哪个]？", "[提车|开了]{num_small}个月的{brand_car}，[说说真实感受|聊聊优缺点]", "[油车|电车][还是|和]{car}，[纠结|犹豫]好久了", "[冬天|高速]续航[打几折|掉多少]？[{brand_car}车主|车主们]来说说"],
        "body": [
            "[坐标|人在]{city}，[家里|平时][通勤|上下班]单程{km}公里，[偶尔|周末]跑[高速|长途]，[预算|落地价]{budget}万[以内|左右]。",
            "[提车|开了]{num_small}个月，[总里程|跑了]{mileage}公里，[百公里|平均][电耗|油耗]{consumption}，[整体|总体]还[满意|算满意]。",
            "[优点|好的地方]是[空间大|加速快|车机流畅|底盘扎实]，[缺点|不足]是[隔音一般|后排有点挤|售后网点少|内饰塑料感强]。",
            "[4S店|销售][说|报价]{car}[优惠|降价]{discount}，[还送|另外送][保养|膜|充电桩]，[不知道|感觉][算不算|是不是]底价。",
            "[家里|我们家][有|添了]{kids}，[所以|因此][比较看重|更关心][空间|安全|舒适性]，[颜值|动力]倒是其次。",
        ],
        "replies": ["[同价位|这个价位]{car}[确实|还是][更香|更稳]，[保值率|口碑]也好", "[电车|新能源][冬天|北方]续航[真的|确实][打七折|掉得厉害]，[楼主|你]家能装桩吗", "[建议|最好][多试驾|去试驾一下]，[自己开|亲自开]了才知道", "[我|俺]开{brand_car}{num_small}年了，[没出过毛病|小毛病不少]", "[{discount}的优惠|这个价格][已经很可以了|还能再谈谈]"],
    },
    "数码": {
        "titles": ["{gadget}用了{num_small}个月，[说说|聊聊][真实体验|优缺点]", "[求推荐|纠结]：{budget_small}元[预算|左右]买什么{gadget}？", "[新买的|刚到手的]{gadget}[有点|好像][问题|毛病]，[要不要退|是不是通病]？"],
        "body": [
            "[上个月|前段时间]在[618|双十一|年货节]入手了{gadget}，[到手价|一共花了]{budget_small}元，[包装|做工][挺扎实|一般般]。",
            "[续航|电池][方面|这块]，[重度使用|正常用]一天[没问题|有点紧张]，[充电|快充]{num_small}分钟能到{pct_big}。",
            "[屏幕|音质|拍照][素质|效果][不错|一般]，[但是|不过][系统|软件][偶尔|时不时][卡顿|发热]，[希望|不知道]后续[更新|升级]能不能[改善|解决]。",
            "[主要|平时]用来[办公|打游戏|看剧|拍照]，[之前|以前]用的是{num_small}年前的老款，[这次|现在][升级|换新]后[感觉|体验][提升明显|差别不大]。",
        ],
        "replies": ["[同款|我也是这款]，[用了|用]{num_small}个月[没毛病|挺稳定]", "[这个价位|{budget_small}元][闭眼入|没得挑]", "[发热|卡顿]是[通病|老问题]，[关掉|设置里关]{feature}[能好点|会好很多]", "[建议|可以][等等|再等等][新品|降价]，[快发布|过两个月]了"],
    },
    "旅游": {
        "titles": ["{city}[{num_small}日游|自由行][攻略|总结]，[附|含][花费|路线]", "[第一次|头一回]去{city}，[求|有什么][推荐|避坑建议]？", "[带娃|带父母][去|游]{city}[的|]真实体验"],
        "body": [
            "[这次|今年{festival}][一共|总共][玩了|去了]{num_small}天，[人均|两个人][花费|花了]{spend}元[左右|上下]，[住|酒店][订的|选的]{landmark}附近。",
            "[第一天|头一天][去了|逛了]{landmark}，[人|游客][很多|不算多]，[建议|最好][早上|提前][去|预约]，[门票|票价]{ticket}元。",
            "[当地的|{city}的]{food}[一定要尝|真的好吃|有点一般]，[推荐|我们去的是][老城区|巷子里][一家|的]小店，[排队|等位]{num_small}分钟。",
            "[交通|出行][方面|上]，[地铁|公交|打车][很方便|还行]，[从|去]{landmark}[大概|差不多]{num_small}分钟。",
            "[唯一|比较][不满意|踩坑]的是[酒店隔音差|景区商店太贵|天气太热|排队时间太长]，[大家|各位]去的时候[注意一下|留意]。",
        ],
        "replies": ["[收藏了|马克一下]，[下个月|{festival}][准备去|也要去]{city}", "{food}[确实|真的][好吃|绝了]，[我|上次]吃了[两碗|三次]", "{landmark}[人太多了|不值这个票价]，[不如|建议]去[周边|郊区]", "[楼主|你]拍的照片[真好看|好美]，[用的|什么]相机？"],
    },
    "美食": {
        "titles": ["[在家|自己]做{food}，[零失败|超简单][教程|做法]", "[求|有没有]{city}[好吃的|地道的]{food}[推荐|店]？", "[第一次|头一回]做{food}，[翻车了|还算成功]"],
        "body": [
            "[准备|材料]：{ingredients}，[调料|配料][就是|有][生抽、老抽、盐|葱姜蒜、料酒]。",
            "[先把|第一步先把]{ingredient}[洗净|切块|焯水]，[然后|再][下锅|入锅][翻炒|煸香]{num_small}分钟，[火候|火][不要太大|中火就行]。",
            "[关键|秘诀]在于[腌制时间|油温|收汁]，[我|本人][试了|做了]{num_small}次才[找到感觉|成功]。",
            "[家里|我们家][人|老人孩子][都|特别][爱吃|喜欢]，[一盘|一锅][很快|几分钟就][吃光了|见底了]{emoji}",
        ],
        "replies": ["[看着|看起来][就|真][好吃|有食欲]，[周末|明天][试试|照着做]", "{ingredient}[可以|能不能][换成|用]{ingredient2}[吗|代替]？", "[我|我家]做{food}[喜欢|习惯][多放|加点][醋|糖|辣椒]", "[楼主|你]这个[火候|颜色][掌握得|做得][真好|不错]"],
    },
    "育儿": {
        "titles": ["[娃|孩子]{child_age}，[晚上|夜里][总是|老是][哭闹|醒]怎么办？", "[幼升小|小升初]，{city}[哪个|什么]学校[好|靠谱]？", "[分享|聊聊][带娃|育儿][的|]一些[心得|小经验]"],
        "body": [
            "[我家|家里][宝宝|娃]{child_age}，[最近|这段时间][晚上|夜里][总是|经常][醒|哭]{num_small}次，[白天|平时][精神|状态][还挺好|也一般]。",
            "[试过|用过][很多方法|好几种办法]，[比如|像][固定作息|睡前讲故事|少看屏幕]，[效果|作用][一般|不太明显]。",
            "[孩子|娃][在|读][幼儿园|一年级]，[每天|每周][作业|兴趣班][不多|挺多]，[我们|家长][主要|更][关注|在意][习惯养成|身体健康|阅读兴趣]。",
            "[老人|爷爷奶奶][帮忙带|带娃][方便是方便|虽然省心]，[但是|不过][观念|习惯][有时候|经常][冲突|不一致]。",
        ],
        "replies": ["[我家|我们家][也是|之前也]这样，[过了|等到]{child_age}[就好了|慢慢就好了]", "[别太焦虑|放宽心]，[每个孩子|娃][节奏|发育][不一样|不同]", "[睡前|晚上][少喝水|别玩太兴奋][会好一些|有用]", "[推荐|可以看看][绘本|育儿书]{book}，[挺有帮助的|写得挺好]"],
    },
    "职场": {
        "titles": ["[工作|入职]{work_years}年，[要不要|该不该][跳槽|转行]？", "[面试|谈薪]{company_any}，[薪资|待遇][怎么谈|合理吗]？", "[大家|你们][加班|通勤][多吗|多久]？"],
        "body": [
            "[本人|我]{age}岁，[在|做]{industry_any}[行业|领域][干了|工作了]{work_years}年，[目前|现在][月薪|税前]{salary}，[感觉|觉得][遇到瓶颈了|没什么上升空间]。",
            "[最近|前几天][拿到了|收到]{company_any}的offer，[涨幅|薪资涨幅]{pct}，[但是|不过][要|得][搬到|去]{city}，[通勤|离家][更远了|有点远]。",
            "[部门|我们组][最近|今年][加班|项目][特别多|越来越多]，[每天|基本上][九点|十点]以后才下班，[周末|双休][也|经常][要|被叫去][开会|改方案]。",
        ],
        "replies": ["[涨幅|{pct}][不到三成|不够][就|的话][别动|不建议跳]", "[先|最好][骑驴找马|拿到offer再说]，[别裸辞|不要裸辞]", "[我|我们公司][也|同样][天天加班|996]，[身体|健康]要紧啊", "[转行|跳槽][要|得][趁早|想清楚]，[年纪大了|过了35][更难|不好转]"],
    },
}

GENERIC_REPLIES = [
    "[哈哈哈|笑死]，[楼主|你][太真实了|说出了我的心声]{emoji}", "[mark|马克][一下|了]，[回头|晚点][再看|细看]", "[同问|一样的问题]，[坐等|蹲一个][大佬|懂的人][解答|回复]",
    "[顶|支持][一下|楼主]，[写得|说得][很详细|很实在]", "[感谢|谢谢][分享|楼主]，[学到了|涨知识了]{emoji}", "[其实|说实话][各有各的|每个人情况][不一样|不同]，[量力而行|适合自己就好]",
    "[前排|沙发]，[坐等|围观]{interjection}", "[楼上|2楼]说得[对|有道理]，[我|俺][补充|再说]一句：[别着急|慢慢来]", "{interjection}，[原来|没想到][还有这种操作|是这样]",
]


def _nick(rng: random.Random) -> str:
    return rng.choice(zh.FORUM_NICK_PARTS) + rng.choice(["", "_", "的", "2", "同学", "888", "酱", "君"]) + (str(rng.randrange(10, 9999)) if rng.random() < 0.5 else "")


def compose(rng: random.Random, year: int, board: str | None = None) -> Article:
    """One thread: title, first post (2-5 sentences) and 2-7 replies, as `text` lines."""
    board = board or rng.choice(list(BOARDS))
    spec = BOARDS[board]
    slots = base_slots(rng, year)
    company = ent.company(rng)
    slots.update({
        "stock": f"{company.short}（{company.code}）" if rng.random() < 0.5 else company.short,
        "price": f"{rng.uniform(3, 180):.2f}", "shares": str(rng.randrange(1, 50) * 100), "sector": company.industry, "driver": rng.choice(company.drivers),
        "index": rng.choice(zh.INDICES), "index_move": rng.choice(["跌了", "涨了", "跳水", "拉升"]) + ent.pct(rng, 0.3, 3),
        "salary": f"{rng.randrange(4, 40)}k" if rng.random() < 0.5 else f"{rng.randrange(4000, 40000)}元", "rent": f"{rng.randrange(800, 9000)}元",
        "save": f"{rng.randrange(1000, 15000)}元", "savings": f"{rng.randrange(2, 90)}万", "rate": f"{rng.uniform(1.5, 2.8):.2f}%", "age": str(age := rng.randrange(24, 45)), "work_years": str(rng.randrange(1, age - 21)),
        "fund_type": rng.choice(zh.FUND_TYPES), "fund_name": ent.brand_word(rng) + rng.choice(["成长混合", "价值精选", "医疗健康", "新能源主题", "消费升级"]),
        "budget": str(rng.randrange(8, 45)), "budget_small": str(rng.randrange(199, 9999)), "km": str(rng.randrange(5, 60)), "mileage": ent.fmt_num(rng.randrange(800, 40000), 0),
        "consumption": rng.choice([f"{rng.uniform(11, 19):.1f}度", f"{rng.uniform(4.5, 9.5):.1f}升"]), "discount": f"{rng.uniform(0.5, 4):.1f}万", "kids": rng.choice(["二胎", "两个娃", "老人和孩子"]),
        "car": rng.choice(zh.CAR_MODELS), "brand_car": ent.brand_word(rng) + rng.choice(["SUV", "轿车", "MPV", " EV", " DM-i"]),
        "gadget": rng.choice(zh.PRODUCTS_CONSUMER), "feature": rng.choice(["高刷", "后台刷新", "蓝牙常开", "自动亮度"]),
        "spend": str(rng.randrange(800, 9000)), "ticket": str(rng.randrange(20, 260)), "food": rng.choice(zh.FOODS),
        "ingredients": "、".join(rng.sample(["鸡翅", "排骨", "五花肉", "土豆", "青椒", "鸡蛋", "西红柿", "豆腐", "虾仁", "香菇", "牛腩", "白萝卜", "茄子", "豆角"], 3)),
        "ingredient": lambda: rng.choice(["鸡翅", "排骨", "五花肉", "土豆", "豆腐", "虾仁", "牛腩", "茄子"]), "ingredient2": lambda: rng.choice(["鸡腿", "里脊", "豆干", "西兰花", "香菇"]),
        "child_age": rng.choice(["八个月", "一岁半", "两岁", "三岁", "四岁多", "六岁"]), "book": ent.book_title(rng), "company_any": ent.company(rng).short,
        "emoji": lambda: rng.choice(zh.EMOJI) if rng.random() < 0.6 else "", "interjection": lambda: rng.choice(zh.FORUM_INTERJECTIONS),
    })
    post = "".join(fill_many(spec["body"], rng.randint(2, min(5, len(spec["body"]))), rng, slots, ordered=True))
    if rng.random() < 0.5:
        post += fill("[大家|各位][怎么看|有什么建议]？{emoji}", rng, slots)
    replies = TemplateDeck(spec["replies"] + GENERIC_REPLIES, rng)
    lines = [post]
    for floor in range(2, 2 + rng.randint(2, 7)):
        reply = fill(replies.draw(), rng, slots)
        if not reply.endswith(("。", "！", "？", "~")) and not reply[-1:] in zh.EMOJI:
            reply += rng.choice(["。", "！", "。", "～"])
        lines.append(f"{floor}楼 {_nick(rng)}：{reply}")
    title = fill(rng.choice(spec["titles"]), rng, slots)
    meta = {"board": board, "author": _nick(rng), "replies": len(lines) - 1, "views": rng.randrange(30, 90000)}
    return Article(title=title, blocks=[p(line) for line in lines], lang="zh", genre="forum", meta=meta)


TOPICS = tuple(BOARDS)
