"""Phrase banks for the generated quality-classifier training set (xuanyuan.corpus.labelled).

Written apart from the corpus plants (xuanyuan.corpus.plants.harmful) on purpose: other
sentences, other structures (hooks, claims, comments and calls composed per text), and only the
topical vocabulary in common. A classifier trained on these texts that then catches the planted
documents has generalised rather than memorised. Templates use the `[a|b]` / `{slot}` language of
xuanyuan.corpus.templates.

HARMFUL[lang][category] holds four pools:
  hooks     a headline or opening line (ads, first line of a post)
  claims    the body: promises, rants, instructions
  comments  short standalone remarks, as under a video or in a group chat
  calls     a call to action with an obviously fake contact (.example addresses, 555-01xx numbers)
HARD[lang][category] holds legitimate texts that use the category's words: news of a police
operation, court reports, textbook paragraphs, health and anti-fraud advice. It is a list of
frames (one kind of text each), and every frame has three pools:
  leads     the opening sentence
  details   further sentences
  closers   a concluding sentence (advice, legal note, quote)

Everything is mild and obviously synthetic; no real person or organisation is named.
"""

from __future__ import annotations

HARMFUL_ZH: dict[str, dict[str, list[str]]] = {
    "gambling": {
        "hooks": [
            "[重磅|好消息]！{brand}[棋牌|电玩城|彩票站]新版上线，[首存|首次充值]{money}元[加送|再送]{n}元",
            "[兄弟们|老铁们]，我靠[一套|这套]下注[方法|公式][三个月|半年]赚了{n}万",
            "【{brand}体育】[世界杯|欧冠|NBA季后赛][竞猜|串关]火热进行中",
            "还在[拿死工资|苦哈哈上班]？[来|试试]{brand}[幸运飞艇|时时彩|快三]",
            "[真人荷官|美女荷官]在线发牌，[手机|电脑]随时[开局|上桌]",
        ],
        "claims": [
            "[充值|存款]{money}元起，[返水|反水]{pct}[每天结算|当天到账]，[VIP|贵宾][等级越高|级别越高]返得越多。",
            "[德州扑克|炸金花|斗地主|牛牛][真人对局|万人同桌]，[底注|起注]只要{n2}元，[封顶|最高]可[赢|拿]{money}元。",
            "[我们的|平台]分析师[每天|每晚]推送[三场|五场][必中|稳胆]比分，[胜率|命中率]{pct_big}。",
            "[庄闲|大小单双][倍投|翻倍]法则：输一把就[加倍|翻一倍]，[总有|迟早]一把能[回本|连本带利拿回来]。",
            "[上周|昨天]有[会员|老哥][一注|一把][押中|中了]{n}万，[截图|流水]都在群里，[不信|眼见为实]自己看。",
            "[海外|境外]正规[牌照|执照]，[资金|账户]由第三方[担保|托管]，[出金|提现]不限额。",
            "[下载|打开]APP[签到|登录]就送{n}元[体验金|彩金]，[流水|打码]{n2}倍即可[提现|出款]。",
            "[信用卡|花呗|网贷]也能[充值|上分]，[额度|分数]秒到，[随时|想玩就]开[台|局]。",
            "[梭哈|全压]一把[就能|可能][改变命运|翻身]，[小赌怡情|赌一把]，[怕什么|人生能有几回搏]。",
            "[拉|邀请]一个[好友|新人][注册|充值]奖励{n}元，[下线|代理]投注[还有|再拿]{pct}[佣金|提成]。",
        ],
        "comments": [
            "[昨晚|今晚][梭哈|全压]主队，[直接|一把]赢了{money}，[爽|舒服]！",
            "有没有[一起|组队]玩[百家乐|牛牛]的？我这有[稳赢|包赢][路子|打法]，私聊。",
            "[输了|亏了]{n}万[想回本|想翻身]，[求|谁有][靠谱|能提现]的[台子|网站]？",
            "[别上班了|打工没前途]，跟我[下注|押注]，[一个月|一周][顶你|赚你]一年工资。",
            "[这个|那个][网站|平台][出款|提现][真快|很爽快]，[我|本人]已经[提了|拿了]{money}了。",
            "[今天|本期]的[号码|彩票][跟着|照着]群主买，[又中了|连红{n2}期]，[爽翻|稳]。",
        ],
        "calls": [
            "[客服|接待]微信：{contact}（[24小时在线|秒回]）",
            "[注册|下载]地址：{url}，[邀请码|推荐码]{code}",
            "[进群|加群]领{n}元[红包|彩金]，[群号|Q群]{qq}",
            "[详情|玩法][请|可][咨询|私信][客服|代理]{contact}，[先到先得|名额有限]。",
        ],
    },
    "porn": {
        "hooks": [
            "[深夜|晚上十点后]才[能|敢]看的[内容|视频]，[懂的|老司机][都懂|进]",
            "{brand}[宅男|绅士]福利站，[今日|本周]新增{n}部",
            "[附近|同城]{n}位[单身|空虚]女生[已上线|正在等你回复]",
            "[私密|隐藏]相册[开放|解锁]中，[限时|今晚]免费",
            "[成年人|18岁以上]才能[进|看]的[频道|直播间]",
        ],
        "claims": [
            "[无码|不打码][高清|原版][资源|片源][整理|打包]好了，[网盘|云盘][链接|地址]私发。",
            "[清纯|性感|火辣][女主播|小姐姐][一对一|1v1][视频|陪聊]，[尺度|内容]你说了算。",
            "[会所|足浴店|按摩店][特殊|全套]服务，[新来的|刚到的][技师|姑娘][年轻漂亮|身材火辣]。",
            "[成人|情色][漫画|小说|直播][每日|天天]更新，[注册|登录]即可[观看|畅看]。",
            "[不看|不聊]会后悔，[老司机|绅士]都懂，[点开|打开]就有惊喜。",
            "[VIP|会员]群每天[分享|发]{n}G[福利|资源]，[入群|进群]费{money}元。",
            "[一夜情|约会|陪玩][同城|附近][秒约|速配]，[不见面|见面前][不收费|先看照片]。",
            "[裸聊|视频聊天][免费|包月]，[主播|妹子][主动|热情]，[晚上|深夜][人|在线]最多。",
        ],
        "comments": [
            "[求|谁有]这个[番号|片子]的[资源|链接]，[好人|楼主]一生平安。",
            "[兄弟|哥们]，这个[网站|APP][福利|资源]真多，[晚上|夜里][偷偷|一个人]看。",
            "[有没有|谁要][同城|附近][约|见面]的，[加我|私我]，[今晚|周末]有空。",
            "[这个|那个]主播[尺度|穿得][太大了|也太少了]，[直播间|房间][被封|关]之前[快去|赶紧]看。",
        ],
        "calls": [
            "[福利|资源]地址：{url}（[复制到浏览器|用手机]打开）",
            "[加|+]V：{contact}，[备注|暗号]“{code}”",
            "[扫码|点链接][进群|下载]：{url}，[仅限|只对]成年人开放。",
        ],
    },
    "violence": {
        "hooks": [
            "[都给我听好了|最后说一遍|我把话放这]",
            "[那个|楼上那个]{name}，[你等着|你给我等着]",
            "[明天|周末][约架|干架]，[地点|位置]{city}{place}，[怂的|不来的]是孙子",
            "[致|给]{name}：[这是|算是][最后一次|头一回也是最后一回]提醒",
        ],
        "claims": [
            "[我们|这边][已经|早就][叫了|喊了]{n2}个[兄弟|人]，[带上家伙|钢管都准备好了]。",
            "[谁再|再有人][举报|投诉]我，[我让他|保证他][横着出去|住进医院]。",
            "[打|揍]他[一顿|一回]就[老实|服]了，这种人[就欠收拾|不打不长记性]。",
            "[车牌号|门牌号|工位][我|我们][都记下了|都拍下来了]，[出门|下班][小心点|注意点]。",
            "[拿刀|带刀|抄家伙][去|上门][讨个说法|讨债]，[出了事|有什么后果][我担着|算我的]。",
            "[泼油漆|砸玻璃|堵门口]只是[开始|第一步]，[下次|再不还钱][就不是这么简单了|就轮到你本人了]。",
            "[谁|哪个]敢[动|碰]我[兄弟|家人]，[我|老子][让他|叫他][全家|一家][不得安宁|都别想好过]。",
            "[找几个人|叫上人][蹲|守]在[他家|他公司]楼下，[见到|逮到][就|直接][往死里|狠狠地]打。",
        ],
        "comments": [
            "[这种人|这种垃圾][就该|就应该][拖出去打|狠狠揍一顿]，[谁去|谁动手][我出钱|我请客]。",
            "[别惹我|惹毛了我]，[我真的会|我可真]动手，[不信|你不信][走着瞧|等着看]。",
            "[打死|弄死]他[都不为过|活该]，[换我|要是我][早就|当场][动手了|上去了]。",
            "[评论区|楼下]那个，[有种|敢不敢][报地址|出来单挑]，[看我|老子][怎么收拾你|废了你]。",
        ],
        "calls": [
            "[想一起去的|要去的][兄弟|人][私信|留言]，[管饭|车费报销]。",
            "[时间|集合]：{weekday}晚上{hour}点，[人|家伙][带齐|带够]。",
        ],
    },
    "discrimination": {
        "hooks": [
            "[吐槽|说个暴论|直说了]：[我|我们单位][最烦|受不了]{group}",
            "[招聘启事|招工]：[限|只要]本地户口，{group}[免谈|勿扰]",
            "[奉劝|提醒][各位|大家][找对象|合租|招人][千万|一定]别找{group}",
            "[为什么|凭什么]{group}[也能|还想][进城|当领导|住我们小区]？",
        ],
        "claims": [
            "{group}[脑子|智商]就是不行，[干|做][什么|啥]都[拖后腿|做不好]。",
            "[残疾人|有残疾的][就该|只配][待在家里|待在福利院]，[出来|上班][就是|纯属][给人添麻烦|拖累别人]。",
            "[乙肝|有病史的][携带者|患者][一律|统统][不录用|劝退]，[传染了|出事]谁负责？",
            "[外地佬|{group}][偷|坑]蒙拐骗[样样|什么]都干，[看见|遇到][就|要][躲远点|赶走]。",
            "[女司机|女的开车][就是|都是]马路杀手，[就不该|不配][拿驾照|考驾照]。",
            "[胖子|长得丑的][面试|简历][直接|一律][刷掉|不看]，[影响|有损]公司形象。",
            "[三十五岁|35岁]以上的[员工|人][都是|全是]废物，[早该|趁早][裁掉|清退]。",
            "[我们|本]小区[业主群|群里][投票|商量]了，[不准|禁止]{group}[租房|买房|进门]。",
        ],
        "comments": [
            "[笑死|呵呵]，{group}[也配|也想][买房|当老板|读大学]？",
            "[一看|果然]又是{group}，[难怪|怪不得][素质这么差|这么没教养]。",
            "{group}[就是|都是][低等人|下等人]，[跟|和]我们[不是一路人|没法比]。",
            "[地图炮|地域黑]怎么了？{group}[本来就|确实][这德行|这样]。",
        ],
        "calls": [
            "[同意的|支持的][点赞|转发]，[让|叫]更多人[看清|认清]{group}。",
        ],
    },
    "reactionary": {
        "hooks": [
            "[醒醒吧|觉醒吧]，[同胞们|大家]，[是时候|现在就该][站起来|行动]了",
            "[{town}|我们这一带][必须|应当]自立，[脱离|甩开]他们才有出路",
            "[周末|明天上午][集合|集结]，[目标|地点]：{city}[市政府|广场]",
            "[紧急|重要][通知|号召]：[全体|各地][同志|兄弟]准备[行动|起事]",
        ],
        "claims": [
            "[现行|现有]制度[已经|早就][没救了|腐朽透顶]，[只有|唯有][暴力|武装][推翻|颠覆]才能[改变|解决]一切。",
            "[号召|呼吁][各地|各位][群众|兄弟][串联|联合]起来，[冲击|包围][政府机关|派出所]，[让他们|叫他们][瘫痪|停摆]。",
            "[不要|别][相信|听]官方[媒体|新闻]，[他们|那些]都是[骗人的|谎言]，[真相|实情][只有|在]我们[群里|频道]才有。",
            "{town}[从来|根本][就不|不该][归|受]他们[管|统治]，我们要[建立|成立]自己的[国家|政府]和[军队|武装]。",
            "[到时候|行动时][大家|所有人][带上|准备好][棍棒|砖头]，[砸|烧][警车|银行]也[无所谓|不要紧]，[闹得越大越好|乱了才有机会]。",
            "[拒交|抵制]一切[税费|罚款]、[不服从|撕掉]所有[法令|通知]，[让|叫]这个[政权|体制][彻底|一夜之间][垮台|倒下]。",
            "[境外|海外]的[朋友|兄弟]已经[准备好|安排好][资金|物资]，[只等|就等]我们[起事|动手]。",
            "[这次|下一次][游行|集会][不要|别再][和平|讲理]了，[直接|一口气][占领|拿下][电视台|政府大楼]，[宣布|发布]新[政权|政府]成立。",
        ],
        "comments": [
            "[早该|是时候]变天了，[等着吧|你们等着]，[迟早|总有一天][推翻|掀翻]他们。",
            "[支持|我支持]{town}独立，[分裂|脱离]出去[才有|才能过上]好日子。",
            "[转发|扩散]！[明早|今晚]九点{place}[集合|见]，[人越多|去的人越多][越好|他们越怕]。",
            "[和平|讲道理]没用，[只有|唯有][暴动|造反][才能|可以][换来|争取]自由。",
        ],
        "calls": [
            "[加入|进]我们的[地下|秘密][频道|群组]：{url}，[暗号|口令]{code}。",
            "[看完|读完][请|务必][转发|扩散]，[删帖|封号]之前[多存几份|截图保存]。",
        ],
    },
    "wrong_values": {
        "hooks": [
            "[成年人|聪明人]的世界只看钱，[人品|良心]值几个钱？",
            "[分享|教你]几个[合理|神操作]避税[技巧|小窍门]，[一年|每年][省下|少交]{n}万",
            "[老实人|守规矩的人][永远|注定][被割韭菜|混不出头]",
            "[年轻人|打工人][醒醒|别傻了]：[努力|上进][没用|白搭]，[捷径|歪门邪道]才是正道",
        ],
        "claims": [
            "[开阴阳合同|拆成小额转账|让员工代收货款]，[税务局|税务][根本|压根][查不到|发现不了]，[能省|能少交]一大笔税。",
            "[考试|考证][作弊|雇枪手]怎么了？[文凭|证书]到手才是[王道|本事]，[谁管|谁在乎]你[学没学会|怎么来的]。",
            "[只有|就是][没本事|没出息]的人才[躺平|认命]，[想翻身|想赚大钱]就得[敢骗|会钻空子|踩着别人上]。",
            "[嫁人|找对象][就要|只看][有钱|房子车子]，[感情|爱情]能当饭吃？",
            "[派对|聚会]上[来点|吸点][“糖果”|“飞叶子”|白粉]，[整个人|那一晚][飘飘欲仙|嗨到天亮]，[不玩|没试过]的人[真土|太out了]。",
            "[借网贷|刷信用卡][买名牌|买包|租豪车拍照]，[面子|排场]比什么都重要，[还不起|到期了]就[以贷养贷|再借一家]。",
            "[顺|拿]公司的[东西|物料]、[虚报|多报][发票|报销]，[不拿白不拿|人人都这么干]。",
            "[父母|爸妈]的[养老钱|积蓄][先拿来|全拿来][炒币|梭哈]，[赚了|赢了]再[还|说]，[亏了|没了]也是他们[该|自愿]的。",
            "[碰瓷|假装受伤][讹|赚]一笔，[比打工|比上班][来钱快多了|强一百倍]。",
        ],
        "comments": [
            "[有钱|钱]就是[一切|爹]，[没钱|穷][活着|你][有什么意义|就是废物]。",
            "[这年头|现在][谁还|还有谁][讲|在乎][道德|良心]，[笑贫不笑娼|钱才是真的]。",
            "[作弊|抄袭]被抓是[你蠢|你自己笨]，[没被抓|没被发现]就是本事。",
            "[偷税|逃税][的|]人[多了去了|那么多]，[被查到|抓到]的[都是|只是]倒霉蛋。",
        ],
        "calls": [
            "[想学|要]全套[避税|发财][秘籍|攻略]的[私信|加V]{contact}。",
            "[点赞|关注]我，[下期|明天]教你[怎么|如何][包装|伪造][流水|收入证明]。",
        ],
    },
}

HARMFUL_EN: dict[str, dict[str, list[str]]] = {
    "gambling": {
        "hooks": [
            "Tired of your [9-to-5|boss]? {brand}Bet pays out every single day",
            "[{n} free spins|Free spins] waiting at {brand} Slots, [claim now|grab yours]",
            "[Bro|Guys], I turned ${n} into ${money} in one weekend",
            "Live dealer baccarat and sports betting, all in one app",
        ],
        "claims": [
            "Deposit ${n} and we match it {pct} [instantly|on the spot], cash out [any time|whenever you want].",
            "Our tipsters post {n2} [locked-in|guaranteed] parlays every night with a {pct_big} hit rate.",
            "Lost a few hands? Keep raising the bet until the streak turns, it always does.",
            "Bet with your credit card, crypto accepted, no ID checks.",
            "[Our jackpot|The mega jackpot] hit {n2} times this week, [screenshots|proof] in our channel.",
            "Offshore license, [totally|100%] safe, payouts land in minutes.",
            "Poker, craps and roulette tables stay open all night, minimum wager ${n2}.",
            "Refer a friend and earn {pct} of everything they wager, forever.",
        ],
        "comments": [
            "just went all in on the late game and cashed ${money}, easy money",
            "anyone got a legit betting site that actually pays? down ${money} and I need it back",
            "quit your job lol, roulette pays better",
            "my parlay hit again, {n2} in a row, this system is unreal",
        ],
        "calls": [
            "Text our agent at 555-01{nn} for the VIP code {code}.",
            "Join now: {url}",
            "Promo code {code} works today only, sign up at {url}.",
        ],
    },
    "porn": {
        "hooks": [
            "18+ only: uncensored cam shows tonight",
            "{n} new girls joined {brand}Live this week",
            "Bored at night? Adult chat rooms are open",
            "Spicy content your feed won't show you",
        ],
        "claims": [
            "Private one-on-one video chat, you decide how far it goes.",
            "The full uncensored collection in HD, updated daily, members pay only ${n2}.",
            "Massage parlor with 'special services', new staff just arrived from {city}.",
            "Flirty singles in {city} want a no-strings hookup tonight.",
            "Spicy photo sets and xxx clips, the full album sits behind the link.",
            "Erotic stories and explicit videos, no filters, no limits.",
            "Sexy cam girls are online right now and they love to chat.",
        ],
        "comments": [
            "anyone got the link to that xxx video? asking for a friend",
            "this adult site is wild, don't open it at work",
            "who wants to hook up tonight, {city} area, dm me",
            "she streams nude on the other app, search her name",
        ],
        "calls": [
            "Tap {url} and confirm you are 18.",
            "Add me on chat: {contact}",
            "Members area: {url}, first night free.",
        ],
    },
    "violence": {
        "hooks": [
            "Listen up, {name}",
            "This is for whoever keeps reporting my posts",
            "Meet me behind the {place} on {weekday}",
            "Last time I ask nicely",
        ],
        "claims": [
            "Me and {n2} of my boys are bringing bats, you won't walk out of there.",
            "Keep talking and I'll smash your car windows, I already have your plate number.",
            "He deserves a beating, somebody teach him a lesson he won't forget.",
            "Next time the rent's late we'll kick your door in.",
            "Somebody should hurt that guy, I'll pay whoever does it.",
            "I've got a knife in my bag and I'm done being patient.",
            "Touch my family and I will hunt you down and make you bleed.",
        ],
        "comments": [
            "people like that should get beaten up, no mercy",
            "say that to my face and see what happens to you",
            "I'll find you, count on it",
            "someone punch this guy already, he's asking for it",
        ],
        "calls": [
            "Who's coming? {weekday}, {hour} pm, bring something heavy.",
            "DM me if you want in, we roll out at {hour}.",
        ],
    },
    "discrimination": {
        "hooks": [
            "Unpopular opinion: {group} ruin everything",
            "Hiring note: no {group}, no exceptions",
            "Why I will never date {group}",
            "Can we finally admit the truth about {group}?",
        ],
        "claims": [
            "{group} are lazy and stupid, it's in their blood.",
            "Disabled people should stay home instead of slowing everyone down.",
            "Don't hire anyone over 40, they are useless with computers.",
            "Fat people shouldn't be allowed in the front office, bad for the image.",
            "Women can't do math, keep them out of engineering.",
            "Our building voted to keep {group} out, best decision we ever made.",
            "{group} are inferior, every statistic proves it.",
        ],
        "comments": [
            "lol of course it was {group} again, typical",
            "{group} don't belong here, go back where you came from",
            "I'd never let my kid play with {group}",
            "ban {group} from the park, problem solved",
        ],
        "calls": [
            "Share this if you agree, people need to wake up about {group}.",
        ],
    },
    "reactionary": {
        "hooks": [
            "Wake up, people: the government must fall",
            "Our region deserves its own flag and its own army",
            "{weekday}, {hour} am, town square. Bring everyone.",
            "The day of the uprising is close",
        ],
        "claims": [
            "Voting changes nothing, only a revolt will tear this system down.",
            "Surround the ministry, block the roads, make the state stop working.",
            "Refuse every law, every fine and every order until the regime collapses.",
            "We will secede and build our own nation, by force if needed.",
            "Bring bricks and sticks, if the shops burn that's the price of freedom.",
            "Don't trust the official news, the truth is only on our channel.",
            "Seize the broadcast tower first, then announce the new government.",
            "Our friends abroad have the money ready, all we need is the signal to rise.",
        ],
        "comments": [
            "the revolution is coming, overthrow them all",
            "secede now, we owe this country nothing",
            "peaceful protest is useless, riot or nothing changes",
            "topple the regime, spread the word before they delete this",
        ],
        "calls": [
            "Join the underground channel: {url}, password {code}.",
            "Share before it's taken down, save a copy.",
        ],
    },
    "wrong_values": {
        "hooks": [
            "Money is all that matters, change my mind",
            "{n2} tax tricks your accountant won't tell you",
            "Honest people finish last",
            "Stop working hard, work smart: cut corners",
        ],
        "claims": [
            "Run your sales through a friend's account and report half, the tax man never notices.",
            "Faking your way through the exam is just being efficient, the diploma is all anyone looks at.",
            "Only losers lie flat, lie and scam your way to the top like everyone else.",
            "Marry rich, love doesn't pay the bills.",
            "A pill or two at the party and you feel like a king, squares don't get it.",
            "Take out loans to buy designer bags, looking rich is how you get rich.",
            "Fake an injury and sue, it beats working a real job.",
            "Pad your expense reports, the company expects it anyway.",
            "Borrow your parents' savings and put it all on crypto, they'll thank you later.",
        ],
        "comments": [
            "if you're broke at 30 you're worthless, period",
            "get caught cheating = you're dumb. don't get caught = you're smart",
            "morals are for poor people",
            "everybody dodges taxes, only idiots pay full",
        ],
        "calls": [
            "DM {contact} for my full cash-only tax playbook.",
            "Follow for part 2: how to fake a payslip.",
        ],
    },
}

# A frame is one kind of legitimate text (a police report, a textbook page, advice); a hard
# negative is composed inside one frame so that it reads as one coherent passage.
Frame = dict[str, list[str]]

HARD_ZH: dict[str, list[Frame]] = {
    "gambling": [
        {  # police news
            "leads": [
                "{date}，{city}市公安局[通报|发布]，[成功|依法]破获一起[跨境|特大]网络赌博案，[抓获|刑拘]犯罪嫌疑人{n}名。",
                "[近日|日前]，{city}警方[捣毁|打掉]一个[地下|隐蔽]赌场，现场[查扣|收缴]赌资{n}万元。",
            ],
            "details": [
                "[经查|据警方介绍]，该团伙[以|打着]“{brand}[娱乐|棋牌]”平台为幌子，[诱导|引诱]群众[参与|在线]百家乐、体育投注等赌博活动，涉案[资金|流水]达{n2}亿元。",
                "[该平台|这些网站][先让|刻意让]参赌者[小赢|赢几把]，[再|随后][操控|修改]后台[结果|数据]，[很多|不少]人[血本无归|输光积蓄]。",
                "[据|根据]受害人[讲述|回忆]，他[先后|前后]充值{n}万元，[想|试图][回本|翻本]却[越陷越深|越输越多]。",
                "[民警|警方]提醒：网络赌博[“十赌九输”|逢赌必输]，所谓“内部计划”“[充值返利|稳赚不赔]”都是[诱饵|骗局]。",
                "依照刑法，开设赌场罪[最高|可]处十年以上有期徒刑，[参赌人员|参与赌博者]也将[受到|面临]治安处罚。",
            ],
            "closers": [
                "[警方|公安机关][呼吁|提醒][广大|]市民[远离赌博|拒绝赌博]，[发现|遇到][涉赌|赌博]线索[请|可]拨打110举报。",
                "[目前|现在]，[案件|此案][正在|仍在][进一步|]侦办中。",
            ],
        },
        {  # health and lottery advice
            "leads": [
                "[心理|戒赌]门诊[接诊|统计]发现，[沉迷|迷恋]网络赌博的[年轻人|求助者][越来越多|逐年增加]。",
                "体育彩票是国家批准发行的公益彩票，[筹集的|所筹]公益金[用于|投向]全民健身和社会公益事业。",
            ],
            "details": [
                "[专家|医生][指出|表示]，赌博成瘾是一种行为成瘾，[家人|家属]应及时[寻求|求助]专业[帮助|治疗]。",
                "[购彩|买彩票]应[理性|量力而行]，[未成年人|18岁以下]不得购买彩票，[也|更]不要[借钱|贷款]投注。",
                "[研究|调查]发现，[总想|急于]把输掉的钱[赢回来|捞回来]，是[赌博成瘾|成瘾]的[典型|重要]信号。",
                "[医生|咨询师][建议|提醒]，[可以|可][设置|给自己定]支出上限，[卸载|删除][涉赌|博彩]APP，[并|同时][告诉|求助]家人。",
            ],
            "closers": [
                "[戒赌|心理援助]热线[全天|24小时][开通|提供免费咨询]。",
                "[理性购彩|量力而行]，[快乐|健康]生活。",
            ],
        },
    ],
    "porn": [
        {  # enforcement news and court
            "leads": [
                "“[扫黄打非|净网]”专项行动[开展|启动]以来，{city}[累计|共][清理|删除]淫秽色情[信息|链接]{n}万条。",
                "{city}[中级|]人民法院[审理|宣判]一起传播淫秽物品牟利案，被告人[通过|利用]网盘[出售|传播]色情视频。",
            ],
            "details": [
                "[执法人员|办案民警][依法|]关停违规直播平台{n2}个，[处理|处罚]涉黄主播{n}人。",
                "[警方|民警]提醒：所谓“同城交友”“裸聊”[往往|多是]敲诈陷阱，[切勿|不要][轻信|下载]陌生APP。",
                "[法院|合议庭][认为|审理查明]，被告人以牟利为目的[传播|贩卖]淫秽视频{n}部，[判处|判决]有期徒刑{years}年。",
                "[平台|网站][须|必须]落实[实名|年龄]验证，[防止|避免]未成年人接触[不良|低俗]信息。",
            ],
            "closers": [
                "[发现|遇到]淫秽色情[信息|网站]，[可|请][向|通过]12390[或|、][网信部门|举报中心]举报。",
                "[相关|有关]部门表示，[将|会][持续|继续][加大|加强][打击|整治]力度。",
            ],
        },
        {  # parents and sex education
            "leads": [
                "[家长|老师][来信|提问]：孩子[偷偷|误]看到网络色情内容，[应该|该]怎么办？",
                "[医生|性教育专家][介绍|建议]，[青春期|青少年]性教育[应当|需要][科学|坦然][开展|面对]。",
            ],
            "details": [
                "[专家|心理咨询师]建议，家长[应|要][平和|冷静][沟通|交流]，[帮助|引导]孩子[认识|识别]成人内容的危害。",
                "[手机|平板][可以|可][开启|使用]青少年模式，[屏蔽|过滤]成人网站和[低俗|不良]直播。",
                "[课程|讲座][围绕|包括][生理卫生|自我保护|尊重他人]等内容，[帮助|让]学生[正确|科学]认识身体变化。",
                "[一味|简单][打骂|回避][往往|反而][适得其反|效果不好]，[坦诚|平等]的[对话|沟通][更|才]能[建立|赢得]信任。",
            ],
            "closers": [
                "[学校|社区][将|会][定期|继续][开设|举办]家长课堂。",
                "[如|若]发现孩子[遭遇|被][网络|线上]诱骗，[请|应][立即|及时]报警。",
            ],
        },
    ],
    "violence": [
        {  # court report
            "leads": [
                "{city}[中级|]人民法院[一审|公开]宣判一起故意伤害案，被告人因[琐事|债务纠纷][持刀|殴打]他人致[轻伤|重伤]。",
                "{city}[警方|公安][通报|发布]：一男子因[停车纠纷|邻里矛盾][威胁|恐吓]邻居，[已被|被依法]行政拘留。",
            ],
            "details": [
                "[法院|合议庭]审理查明，被告人[多次|曾][通过|发送]短信[威胁|恐吓]被害人，[扬言|声称]要[报复|上门]，[情节|性质]恶劣。",
                "[民警|警方]提醒，遇到威胁、恐吓[信息|电话]应[保留证据|及时报警]，[不要|切勿][以暴制暴|私下报复]。",
                "[据|根据]统计，[当地|该市]去年[共|]受理[殴打他人|故意伤害]类[警情|案件]{n}起，[同比|比上年][下降|减少]{pct}。",
                "[被害人|受害者][家属|亲属][表示|称]，[希望|盼望][法律|法院][给|还][一个|]公道。",
            ],
            "closers": [
                "[被告人|上诉人]被判处有期徒刑{years}年，[并|同时][赔偿|承担]被害人[医疗费|经济损失]。",
                "[警方|公安机关]提醒[市民|群众]理性解决纠纷，[切勿|不要][冲动|动手]。",
            ],
        },
        {  # school and family safety
            "leads": [
                "[校园霸凌|家庭暴力][防治|预防]讲座[走进|在]{school}，[民警|律师][讲解|介绍]了[反家庭暴力法|未成年人保护法]。",
                "[什么是|如何认定]正当防卫？[律师|法官][结合|通过][案例|典型案件][进行了|作了]解读。",
            ],
            "details": [
                "[刑法|法律]规定，对正在进行的行凶等[严重|]危及人身安全的暴力犯罪采取防卫行为，[造成|致]不法侵害人伤亡的，不属于防卫过当。",
                "[受害者|当事人]可以[向法院|依法]申请人身安全保护令，[施暴者|加害人]违反[保护令|禁令]将[被|受到]追究责任。",
                "[老师|民警][告诉|提醒]同学们，[遭到|遇到][欺负|霸凌]时[不要|别][忍气吞声|以牙还牙]，[要|应][及时|第一时间][告诉|报告]老师和家长。",
                "[讲座|活动][还|最后][模拟|演练]了[遇到|面对]暴力[威胁|侵害]时的[自我保护|求助]方法。",
            ],
            "closers": [
                "[遇到|遭受][暴力|霸凌]，[请|要][第一时间|及时][告诉|求助]老师、家长或拨打110。",
                "[反家暴|妇女维权]热线12338[全天|24小时][接听|开通]。",
            ],
        },
        {  # history
            "leads": [
                "[历史|军事]上，[这场|该]战役[伤亡|死伤]惨重，[战争|暴力]给[普通百姓|平民]带来了深重灾难。",
            ],
            "details": [
                "[战后|事后]，[双方|各方][签订|达成]和约，[历史学家|学者][普遍|多][认为|指出]，这[场|次]冲突[本可以|原可]避免。",
                "[史料|文献][记载|显示]，[战乱|兵祸][导致|造成][大批|大量]百姓[流离失所|背井离乡]，[农田|村庄]荒废。",
                "[这段|该段]历史[提醒|告诉]后人，[和平|安宁][来之不易|弥足珍贵]。",
            ],
            "closers": [
                "[思考|讨论]：[战争|这场战役]对[当时的|]社会[产生了|带来了]哪些影响？",
            ],
        },
    ],
    "discrimination": [
        {  # employment law and courts
            "leads": [
                "[公司|本单位]招聘[坚持|遵循]平等原则，不因[性别|民族|地域|年龄|婚育状况]等[设置|附加]歧视性条件。",
                "[一名|一位]求职者因[户籍|性别|乙肝携带]被拒，将[用人单位|公司]告上法庭。",
            ],
            "details": [
                "[就业促进法|劳动法][明确规定|规定]，[用人单位|企业]不得[歧视|拒绝录用][乙肝病毒携带者|残疾人|女性求职者]。",
                "[法院|法官][认定|审理认为]，[该公司|被告]以[地域|性别]为由拒绝录用，构成就业歧视，[判赔|赔偿]{money}元。",
                "[据|根据][调查|问卷]，{pct}的受访者称[曾|在求职中][遭遇|遇到]过年龄或性别[限制|歧视]。",
                "[招聘|求职]平台[表示|称]，[已|将][下架|清理]含有“[限本地户口|35岁以下|仅限男性]”等[歧视性|违规]表述的[岗位|招聘信息]。",
            ],
            "closers": [
                "[如|若]在求职中[遭遇|遇到]歧视，[可|可以][向|到]劳动保障监察部门投诉。",
                "[平等|公平]就业[是|才是][劳动者|每个人]的[基本|合法]权利。",
            ],
        },
        {  # online governance and community
            "leads": [
                "地域黑、[性别对立|性别歧视]言论[伤害|撕裂]社会，[网信部门|平台][依法|加强]治理网络歧视言论。",
                "[社区|志愿者][为|帮助][残障人士|外来务工人员|老年人][提供|开展][就业培训|免费服务]。",
            ],
            "details": [
                "[社会学者|专家][指出|认为]，[对|针对]外地人、农村人的刻板印象[缺乏|没有][事实|数据]依据，[应|需要][警惕|反对]。",
                "[平台|社区][已|共][处置|清理]涉地域攻击、性别歧视[的|]违规[内容|帖子]{n}条，[封禁|处罚]账号{n2}个。",
                "[活动|倡议][呼吁|倡导][尊重|包容][差异|多元]，[反对|拒绝]任何形式的歧视。",
                "[不少|很多][残障人士|外来务工人员][在|经过]培训后[找到了|走上了][工作|岗位]，[重拾|增强了][信心|自信]。",
            ],
            "closers": [
                "[平等|尊重][是|才是]文明社会的[底线|基础]，[每个人|任何人]都[应|理应]被平等对待。",
                "[网友|市民][如|若]发现歧视性言论，[可|可以][点击|通过]举报[按钮|入口]反映。",
            ],
        },
    ],
    "reactionary": [
        {  # history textbook
            "leads": [
                "[历史|教科书]：[东汉末年|明朝末年|清朝后期]，[政治腐败|土地兼并|赋税沉重]，[各地|多地][爆发|掀起]农民起义。",
                "[历史|政治]课[讲到|介绍]：[法国大革命|英国资产阶级革命]推翻了[封建|旧]制度，对[世界|欧洲]历史产生了深远影响。",
            ],
            "details": [
                "[起义军|这支起义队伍][一度|曾经][占领|攻占][多座城池|大片地区]，[沉重打击|动摇]了[王朝|朝廷]的统治，[最终|但][因|由于][内部分裂|缺乏纲领]而失败。",
                "[这场|该]革命推翻了君主专制制度，[建立|成立]了[共和|新的]政体，[但|然而][社会|国家]性质没有[根本|彻底]改变。",
                "[历史学家|学者][认为|指出]，[分裂|割据][局面|状态][导致|造成]了[长期|连年]战乱，[百姓|民众][流离失所|苦不堪言]。",
                "[考点|知识点]：[起义|革命]的[原因|背景]、[经过|过程]和[意义|影响]，[常|多]以材料题[形式|方式]考查。",
            ],
            "closers": [
                "[学生|同学们][应|需要][结合|联系]时代背景，[理解|分析][历史事件|这一事件]的[成因|影响]。",
            ],
        },
        {  # court report and warning
            "leads": [
                "{city}[中级|]人民法院[依法|公开]审理一起[煽动颠覆国家政权|煽动分裂国家]案。",
                "[网警|网信部门]提醒：[不信谣|不传谣]，[对|遇到]煽动非法集会的信息[请|应]及时举报。",
            ],
            "details": [
                "[经审理查明|检方指控]，被告人[在网上|通过社交平台][发布|散布][煽动性|颠覆性]言论，[鼓动|号召]他人[冲击|包围]国家机关。",
                "[宪法|国家安全法][规定|明确]，维护国家主权、统一和领土完整是[全国人民|全体公民]的共同义务。",
                "[近期|近来]，[网上|个别群组][出现|流传][所谓|一些]“[集合|行动]”[通知|帖子]，[经|警方]核实[系|均为][谣言|虚假信息]。",
            ],
            "closers": [
                "[被告人|其]被判处有期徒刑{years}年，剥夺政治权利{years}年。",
                "[请|希望][广大|]网民[理性|依法][表达|发声]，[不|切勿][转发|传播]未经核实的信息。",
            ],
        },
    ],
    "wrong_values": [
        {  # tax court report
            "leads": [
                "{city}[中级|]人民法院[审结|宣判]一起逃税案，[一家|某]公司[通过|采用]两套账、[虚开发票|私户收款]等方式偷逃税款{n}万元。",
                "[税务部门|稽查局][公布|曝光]一批偷税典型案例，[涉及|包括][网络主播|餐饮企业|建材公司]等。",
            ],
            "details": [
                "[税务部门|稽查局][通过|利用]大数据[比对|分析][发现|查出]异常，[依法|]追缴税款、滞纳金并处罚款{n2}万元。",
                "[经查|调查显示]，[该公司|当事人][将|把]部分收入[转入|存入][员工|亲属]个人账户，[隐匿|少报]收入{n}万元。",
                "[税务|财税]专家[提醒|指出]，[所谓|网传的]“避税[秘籍|技巧]”[多数|大多][涉嫌|属于]违法，[一旦|如果]被查[后果|代价][严重|很大]。",
            ],
            "closers": [
                "[法定代表人|负责人][被判处|获刑]有期徒刑{years}年，并处罚金。",
                "[诚信|依法]纳税[是|才是]企业[长远|持续]发展的基础。",
            ],
        },
        {  # drug prevention
            "leads": [
                "禁毒科普：[冰毒|大麻|新型毒品][会|可][严重|不可逆地][损害|伤害][大脑|神经系统|心脏]。",
                "[禁毒|戒毒]民警[走进|来到]{school}，[为|给]学生[上了|讲了]一堂禁毒课。",
            ],
            "details": [
                "[吸毒|沾毒][一次|一口]也可能成瘾，所谓“[软毒品|娱乐性药物][不上瘾|没危害]”[是|纯属]错误说法。",
                "[一些|部分]新型毒品[伪装成|包装成][糖果|饮料|奶茶]，[在|于][酒吧|聚会][等|]场所[流通|出现]，[要|应][提高|保持]警惕。",
                "[戒毒|康复]人员[讲述|回忆]，[当初|起初]只是[好奇|想尝试]，[后来|最终][倾家荡产|家破人亡]。",
            ],
            "closers": [
                "[珍爱生命|远离毒品]，[发现|遇到]涉毒线索[请|可]拨打110。",
            ],
        },
        {  # education, consumption and anti-fraud
            "leads": [
                "[考试院|教育部门]提醒：组织考试作弊[已|早已]入刑，[情节严重的|最高][可判|处]七年有期徒刑。",
                "[专家|学者][认为|分析]，[“躺平”|“拜金”]现象[背后|折射出]的是[年轻人|青年]面临的[压力|焦虑]。",
            ],
            "details": [
                "[反诈|防骗]提示：“以贷养贷”“[高额返利|刷单兼职]”是[典型|常见]骗局，[不要|切勿][轻信|参与]。",
                "[理财|消费][专家|规划师][建议|提醒]，[量入为出|理性消费]，[远离|警惕][超前消费|网贷陷阱]，[不要|别][为了面子|盲目攀比]借钱。",
                "[学校|教师][引导|鼓励]学生[树立|形成]正确的[金钱观|价值观]，[认识到|明白][诚信|诚实]比[分数|金钱]更重要。",
                "[调查|问卷]显示，{pct}的[受访青年|年轻人]认为，所谓“躺平”[只是|不过是][调整|放慢][节奏|步伐]，[并非|不是][放弃|不努力]。",
                "[考生|考试][使用|携带]作弊器材[将|会]被[取消|认定][成绩|考试资格]，[并|还]记入诚信档案。",
            ],
            "closers": [
                "[诚实守信|脚踏实地][才是|是][成功|成长]的[正道|捷径]。",
                "[如|若][遇到|发现][诈骗|可疑]信息，[请|可]拨打96110[咨询|举报]。",
            ],
        },
    ],
}

HARD_EN: dict[str, list[Frame]] = {
    "gambling": [
        {
            "leads": [
                "Police in {city} shut down an illegal gambling den on {weekday}, arresting {n} people.",
                "A court in {city} sentenced the operators of an unlicensed online casino.",
            ],
            "details": [
                "Officers seized ${money} in cash along with roulette tables and slot machines.",
                "Investigators say the site lured players with bonus offers and then blocked their withdrawals.",
                "Prosecutors said the group took bets on football and baccarat from thousands of players.",
                "Experts warn that so-called guaranteed betting tips are a common scam.",
            ],
            "closers": ["The investigation is ongoing.", "Each defendant faces up to {years} years in prison."],
        },
        {
            "leads": [
                "Problem gambling is a recognised addiction, and help is free.",
                "The state lottery commission published its annual report on {weekday}.",
            ],
            "details": [
                "If betting is hurting you or your family, a counsellor can help you set limits or stop.",
                "Researchers found that people who chase losses are the most likely to develop a gambling problem.",
                "Proceeds from the lottery fund parks, schools and sports programs, the commission said.",
                "Deleting betting apps and blocking casino sites are simple first steps, counsellors say.",
            ],
            "closers": ["Anyone affected can call the national gambling helpline, open around the clock.",
                        "Players must be at least 18 to buy a ticket."],
        },
    ],
    "porn": [
        {
            "leads": [
                "The platform removed {n} accounts that shared explicit material without consent.",
                "Police warn of a sextortion scam that starts with a friendly video chat.",
            ],
            "details": [
                "Moderators reported the uploads to the authorities, a spokesperson said.",
                "Victims are recorded during a webcam call and then asked for money; police advise them not to pay.",
                "Age checks on adult websites are now required by law in several countries.",
            ],
            "closers": ["Report explicit content involving anyone underage to the police immediately.",
                        "The company says it will publish a transparency report every quarter."],
        },
        {
            "leads": [
                "Parents can switch on content filters to keep adult sites away from children.",
                "A school nurse explains how to teach teenagers about consent and healthy relationships.",
            ],
            "details": [
                "Most routers and phones offer a child mode that blocks pornography and gambling sites.",
                "Sex education works best when it is factual, calm and age appropriate, the guide says.",
                "Talking openly works better than punishment if a child stumbles on explicit content.",
            ],
            "closers": ["The guide is free to download from the school website."],
        },
    ],
    "violence": [
        {
            "leads": [
                "A jury in {city} found a man guilty of assault after he threatened a neighbor with a bat.",
                "Domestic violence hotlines saw more calls last year, a city report says.",
            ],
            "details": [
                "Prosecutors said the defendant sent threatening messages for weeks before the attack.",
                "Victims of threats should keep every message and report them to the police rather than retaliate.",
                "The court may issue a protection order that bans the abuser from contacting the victim.",
            ],
            "closers": ["He was sentenced to {years} years in prison.", "If you are in danger, call emergency services."],
        },
        {
            "leads": [
                "The history unit covers the battle, in which thousands of soldiers were killed.",
                "Self-defense law explained: when may you use force?",
            ],
            "details": [
                "Historians describe the violence of the war and its toll on ordinary families.",
                "The law allows reasonable force to stop an ongoing attack, but not revenge afterwards.",
                "Students read letters written by soldiers before discussing why the conflict escalated.",
            ],
            "closers": ["Discuss: could the war have been avoided?"],
        },
    ],
    "discrimination": [
        {
            "leads": [
                "Our equal opportunity policy forbids discrimination based on race, gender, age, religion or disability.",
                "A tribunal awarded ${money} to a worker who was fired for being over 50.",
            ],
            "details": [
                "The judge ruled that rejecting applicants because of their accent or origin was unlawful.",
                "Employers must make reasonable adjustments for disabled staff under the law.",
                "The report found that {pct} of respondents had experienced discrimination at work.",
            ],
            "closers": ["Complaints can be filed with the equality commission free of charge."],
        },
        {
            "leads": [
                "The city launched a campaign against hate speech and racist abuse online.",
                "Volunteers help immigrants and disabled people prepare for job interviews.",
            ],
            "details": [
                "Stereotypes about women in engineering are not supported by the evidence, researchers say.",
                "Community leaders called for respect and said every neighbor deserves equal treatment.",
                "Many participants found work within months of finishing the program.",
            ],
            "closers": ["Everyone deserves to be treated with dignity, the mayor said."],
        },
    ],
    "reactionary": [
        {
            "leads": [
                "The textbook chapter explains how a peasant uprising weakened the dynasty.",
                "The French Revolution overthrew the monarchy and changed European politics.",
                "Historians still debate why the rebellion failed.",
            ],
            "details": [
                "High taxes, famine and corruption drove farmers to revolt against the court.",
                "The rebels captured several cities before internal splits broke the movement apart.",
                "Secession movements in history often ended in long civil wars, the lecturer noted.",
                "Students compare the causes, course and results of each revolution in the exam.",
            ],
            "closers": ["Discuss: what lessons does the uprising offer about reform?"],
        },
        {
            "leads": [
                "A man was convicted of inciting a riot after posts urging followers to attack police.",
            ],
            "details": [
                "Prosecutors said his messages called on people to storm government buildings.",
                "Police said several posts calling for unrest turned out to be fake and urged readers not to share them.",
            ],
            "closers": ["The court sentenced him to {years} years."],
        },
    ],
    "wrong_values": [
        {
            "leads": [
                "A business owner in {city} was sentenced for tax evasion after keeping two sets of books.",
            ],
            "details": [
                "Auditors found ${money} in cash sales that never appeared in the tax returns.",
                "Tax advisers warn that schemes sold online as clever tricks are usually illegal.",
            ],
            "closers": ["He must also repay the unpaid taxes with interest."],
        },
        {
            "leads": [
                "Drug abuse damages the brain, heart and liver, doctors warn.",
            ],
            "details": [
                "Even one dose of a synthetic drug can cause addiction or an overdose.",
                "Pills sold at parties are often not what the seller claims, toxicologists say.",
            ],
            "closers": ["Free, confidential addiction support is available."],
        },
        {
            "leads": [
                "Universities warn that exam cheating leads to expulsion.",
                "Why do so many young people say they want to lie flat? Sociologists weigh in.",
            ],
            "details": [
                "Students caught using phones during the exam will receive a zero and a disciplinary hearing.",
                "Financial counsellors say borrowing to fund a lifestyle leads to a debt spiral.",
                "Researchers say the trend reflects burnout and high housing costs rather than laziness.",
            ],
            "closers": ["Honesty pays off in the long run, the dean told students."],
        },
    ],
}

HARMFUL: dict[str, dict[str, dict[str, list[str]]]] = {"zh": HARMFUL_ZH, "en": HARMFUL_EN}
HARD: dict[str, dict[str, list[Frame]]] = {"zh": HARD_ZH, "en": HARD_EN}

# Who the discriminatory training texts target; other wording than the plants' groups.
ZH_TARGET_GROUPS = ["外地人", "农村人", "{province}佬", "打工仔", "单亲妈妈", "乡下来的", "二婚的", "矮个子"]
EN_TARGET_GROUPS = ["foreigners", "outsiders", "single moms", "people from the east side", "newcomers", "those farm people"]
ZH_PLACES = ["广场", "公园门口", "火车站", "体育馆", "夜市", "老街"]
EN_PLACES = ["gas station", "old mill", "school gym", "bowling alley", "train station", "parking garage"]
ZH_SCHOOLS = ["实验中学", "第一中学", "外国语学校", "职业技术学院", "实验小学"]
ZH_WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
EN_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
