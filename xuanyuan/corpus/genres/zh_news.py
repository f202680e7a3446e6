"""Chinese general news: transport, schools, health, tourism, environment, farming, tech, sport, community."""

from __future__ import annotations

import random

from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.corpus.article import Article, h, p
from xuanyuan.corpus.genres.zh_common import GENERAL_METRICS, mixed_sentences
from xuanyuan.corpus.genres.zh_slots import base_slots
from xuanyuan.corpus.templates import TemplateDeck, fill

TITLES = {
    "交通": ["{city}地铁{line}号线[开通运营|启动试运行|进入铺轨阶段]，[沿线居民出行更便捷|串联{num_small}个重点片区]", "{city}[优化|新开]{num_small}条公交线路，[方便|服务]{town}等地[居民|学生]出行", "[{festival}假期|暑运]{city}[铁路|机场|高速]客流[预计|同比]{trend}"],
    "教育": ["{city}今年新增{num_big}个[中小学|幼儿园]学位", "[课后服务|劳动教育|科学教育]进校园：{city}{num_small}所学校试点新课程", "{university}[启动|发布]{year}年[招生计划|人才培养方案]"],
    "医疗": ["{city}[推行|试点]“[检查结果互认|一站式结算|家庭医生签约]”，[患者少跑腿|看病更方便]", "[入冬|换季]{disease}进入高发期，医生提醒[注意|做好]防护", "{city}新建{num_small}家社区卫生服务中心[投入使用|开诊]"],
    "文旅": ["{festival}假期{city}接待游客{wan_people}", "{landmark}[修缮完成|重新开放|入选新一批省级文物保护单位]", "[夜游|非遗|乡村游]走红，{town}迎来[客流高峰|新一轮发展机遇]"],
    "环境": ["{city}发布{weather}[预警|提示]，[部分路段|多趟列车]受影响", "[河湖治理|垃圾分类|城市绿化]见成效：{city}[优良天数|绿地面积]{trend}", "{city}[启动|完成]{river}沿岸生态修复工程"],
    "农业": ["{town}{crop}喜获丰收，亩产[同比|较去年]{trend}", "[高标准农田|智慧农业]助力{province}{crop}产业[提质增效|增产增收]", "[春耕|秋收]时节，{city}农户[忙|抢]农时"],
    "科技": ["{city}[发布|落地]{tech}[应用场景|重大项目]", "[科研团队|企业]在{tech}领域取得新进展", "{city}举办[科技活动周|创新创业大赛]，{num_mid}个项目参展"],
    "体育": ["{year}{city}{event}鸣枪开跑，{num_big}名选手参赛", "{city}[新建|改造]{num_small}处全民健身场地[向市民开放|投入使用]", "{event}{city}站落幕，[本地选手|{person}][夺冠|获得亚军]"],
    "社区": ["{city}[老旧小区改造|加装电梯|社区食堂]惠及{num_big}户居民", "[志愿者|社区网格员]{person}：[守护|服务]{town}居民的“[暖心人|贴心人]”", "{city}[推出|上线]“[15分钟便民生活圈|一件事一次办]”服务"],
    "天气": ["{city}[今明两天|本周后期]将迎{weather}天气，[出行|农事]需注意", "[气象部门|专家]：今年[汛期|冬季]{city}气温[偏高|偏低]，{weather}[偏多|频发]"],
}

LEADS = {
    "交通": ["[本报讯|记者从{city}市交通部门获悉]，{month_day}起，{city}{line}号线[首开段|全线]正式[开通运营|投入使用]，线路全长{km}公里，设站{num_small}座。", "{month_day}，{city}市交通运输局[发布|通报]，将[优化调整|新开通]{num_small}条公交线路，进一步提升{town}等片区的公共交通覆盖率。"],
    "教育": ["{month_day}，{city}市教育局[召开新闻发布会|对外发布]，今年全市计划新建、改扩建中小学和幼儿园{num_small}所，新增学位{num_big}个。", "[新学期伊始|开学首周]，{city}{num_small}所中小学[开设|试点]了[科学实验|人工智能|劳动实践]课程，[受到学生和家长欢迎|引发家长关注]。"],
    "医疗": ["[记者|本报记者]从{city}市卫生健康委员会获悉，[今年以来|近期]全市[推进|推行]医疗服务便民举措，[已在{num_small}家医院上线|覆盖{num_mid}家医疗机构]。", "[随着气温下降|近期]，{city}各大医院{disease}就诊人数[明显增加|有所上升]，[呼吸科|儿科|门诊]接诊量较上月增长{pct}。"],
    "文旅": ["{festival}假期，{city}各大景区[人气旺盛|游人如织]。据{city}市文化和旅游局统计，假期全市共接待游客{wan_people}，实现旅游收入{yi_small}。", "[经过{num_small}个月的修缮|历时{num_small}年保护性修复]，位于{city}的{landmark}于{month_day}[重新对外开放|迎来首批游客]。"],
    "环境": ["{month_day}，{city}市气象台[发布|升级]{weather}[黄色|橙色|蓝色]预警信号，预计[未来{num_small}小时|今天夜间到明天]，全市[大部|部分]地区将出现{weather}天气。", "{city}市生态环境局{month_day}通报，{prev_year}年全市空气质量优良天数为{good_days}天，[比例同比提高{pct_small}个百分点|{river}出境断面水质稳定达到Ⅱ类]。"],
    "农业": ["[眼下|时下]正值{crop}收获季节，在{city}{town}，[成片的|连片]{crop}[田里|种植基地里]，农户们[正忙着采收|抢抓晴好天气收获]。", "{month_day}，记者从{province}省农业农村厅获悉，今年全省{crop}种植面积达到{num_big}万亩，[预计总产量|产量]{trend}。"],
    "科技": ["{month_day}，{city}[召开|举行]{tech}[发展大会|应用推介会]，[现场发布|集中签约]{num_small}个应用场景和项目，总投资{yi}。", "[记者|本报记者]从{university}获悉，该校[科研团队|课题组]在{tech}[方向|领域]取得重要突破，相关成果[发表在国际期刊上|通过专家鉴定]。"],
    "体育": ["{month_day}[清晨|上午]，{year}{city}{event}在{landmark}[鸣枪起跑|正式开赛]，来自{num_small}个国家和地区的{num_big}名选手参赛。", "[近日|本月]，{city}新建的{num_small}处[社区体育公园|健身步道|笼式足球场]陆续[建成开放|投入使用]，[免费|低价]向市民开放。"],
    "社区": ["[走进|来到]{city}{town}的[老旧小区|社区]，[新铺的道路平整干净|楼道里新装的电梯运行平稳]，[居民们|老人们]对改造成果[赞不绝口|十分满意]。", "{month_day}，{city}[发布|启动]{year}年[民生实事项目|为民办实事清单]，涵盖[养老|托育|就业|住房]等{num_small}个方面。"],
    "天气": ["[中央气象台|{city}市气象台]{month_day}发布消息，[受冷空气影响|受副热带高压控制]，[本周后期|今明两天]{city}将出现{weather}天气，[局地|部分地区]气温[下降|升高]{num_small}摄氏度。"],
}

BODY = {
    "交通": ["据介绍，[该线路|新线路]串联了{town}、[高铁站|火车站|大学城]等重要区域，[早晚高峰|平峰时段]行车间隔为{num_small}分钟。", "{city}市交通运输局相关负责人表示，[今年|下一步]还将新开和优化公交线路{num_small}条，[打通|解决]“[最后一公里|断头路]”问题。", "[市民|乘客]{person}告诉记者，以前[上班|通勤]要换乘两次，现在[坐地铁|乘公交]直达，[单程|每天]能节省{num_small}分钟。", "[为保障|针对]假期出行高峰，[铁路部门|机场]加开[临客|航班]{num_small}[列|班]，[预计|日均]发送旅客{wan_people}。", "[为方便|针对]老年人出行，[公交车|地铁站]增设了[爱心座椅|无障碍通道|语音播报]设施。", "目前，{city}城市轨道交通运营里程已达{km}公里，[日均客流|工作日客流]突破{wan_people}。"],
    "教育": ["[据了解|记者了解到]，新建学校[按照|参照]省级标准配置了[实验室|图书馆|风雨操场]等设施。", "{city}市教育局[局长|副局长|相关负责人]{person}表示，将[继续|持续][推进|扩大]优质教育资源覆盖面，[让更多孩子在家门口上好学|缓解热点片区入学压力]。", "[家长|学生家长]{person}说，孩子放学后可以在学校参加[兴趣社团|课后托管]，[解决了接送难题|家长下班后再接孩子]。", "在{school}，[学生们|孩子们]在老师的指导下[动手制作|观察记录]，[课堂气氛十分活跃|不少学生表示很有收获]。", "[今年|{year}年]全市共有{num_big}名考生报名参加[中考|高考]，[考点|考场]设置在{num_small}所学校。", "[据悉|另外]，{city}还将[招聘|补充]{num_mid}名[中小学教师|专职心理健康教师]，[优先保障|重点充实]农村学校。"],
    "医疗": ["[患者|市民]{person}告诉记者，[以前|过去]在不同医院做检查要重复缴费，现在[结果互认|一次结算]，[省钱又省时|少跑了好几趟]。", "{hospital}{dept}主任{person}提醒，{disease}[高发季节|期间]要[注意保暖|规律作息|均衡饮食]，出现症状应[及时就医|尽早就诊]。", "[据统计|数据显示]，[今年以来|{quarter}]{city}家庭医生签约服务[覆盖|累计签约]{num_big}人，重点人群签约率达到{pct_big}。", "[新建的|改造后的]社区卫生服务中心设置了[全科诊室|中医馆|康复理疗室]，[可提供|开展]{num_mid}余项基本医疗服务。", "[下一步|今后]，{city}将[继续|持续]推进[医联体|分级诊疗]建设，让[群众|居民]在家门口享受[优质|便捷]的医疗服务。"],
    "文旅": ["[在|走进]{landmark}，[不少游客|许多市民]身着[汉服|传统服饰][拍照打卡|参观游览]，[景区|园区]内[人头攒动|热闹非凡]。", "[为迎接|针对]假期客流，[景区|{city}]推出了[夜间游览|非遗展演|文创市集]等活动，[延长开放时间|实行分时预约]。", "来自{other_city}的游客{person}说：“[这里的|{city}的]{food}[很有特色|味道正宗]，[下次还会再来|准备带家人再来一次]。”", "[据介绍|据了解]，{landmark}始建于[明代|清代|民国时期]，[距今已有{num_mid}年历史|是当地重要的历史文化遗存]。", "[{town}|当地]依托[民宿|特色农产品|古村落]发展乡村旅游，[带动|吸引]{num_mid}户村民[增收|返乡创业]。", "[入境游|研学游|自驾游][持续升温|明显回暖]，[酒店|民宿]预订量较去年同期增长{pct}。"],
    "环境": ["[受{weather}影响|预计]，[部分|多条]道路[可能出现积水|能见度较低]，[交管部门|相关部门]提醒[驾驶员|市民][减速慢行|注意出行安全]。", "{city}市应急管理局[要求|提醒]各地[加强|做好]{weather}防范应对工作，[提前转移|妥善安置]危险区域人员。", "[近年来|这几年]，{city}[持续|大力][推进|开展]{river}[综合治理|生态修复]，[沿岸|河道两侧]建成了{km}公里的[滨水绿道|生态廊道]。", "[家住|住在]{town}的{person}说，[以前|过去]河边[杂草丛生|气味刺鼻]，现在成了[大家散步的好去处|孩子们玩耍的地方]。", "[目前|截至{month}]，[全市|{city}]生活垃圾分类[覆盖|实现]{pct_big}的小区，[资源化利用率|回收利用率]达到{pct_big}。"],
    "农业": ["[种植户|合作社负责人]{person}算了一笔账：今年{crop}[亩产约|每亩能收]{num_mid}公斤，[按市场价计算|扣除成本后]每亩[纯收入|收益]{num_big}元左右。", "[在|记者在]{town}的[智慧农业示范基地|高标准农田]看到，[无人机|自动灌溉系统|植保机械][正在作业|有序运转]。", "{city}市农业农村局[副局长|相关负责人|总农艺师]{person}介绍，[今年|近年来]全市[推广|示范]{crop}[新品种|绿色种植技术]{num_big}亩。", "[为拓宽销路|为了把{crop}卖出好价钱]，当地[搭建|开通]了[电商直播|冷链物流|产地直供]渠道，[产品|{crop}]销往{other_province}等地。", "[今年|{year}年]，{province}[安排|下达]专项资金{yi_small}，[支持|用于][农田水利|种业创新|农机购置]等。"],
    "科技": ["[据介绍|据了解]，[该项目|这项技术]可[应用于|服务于][城市管理|工业制造|医疗诊断|交通出行]等场景，[效率提升|成本降低]{pct}以上。", "{university}[教授|研究员]{person}表示，团队[历时|花了]{num_small}年[攻关|研究]，[解决了|突破了]多项关键技术难题。", "[目前|截至{month}]，{city}已集聚[相关企业|{tech}企业]{num_mid}家，[产业规模|年产值]突破{yi}。", "[在|记者在]展会现场看到，[多款|不少]{tech}[产品|设备]吸引了[观众|采购商]驻足体验。", "{city}[将|计划]设立规模{yi}的产业基金，[支持|扶持]{tech}领域的初创企业[做大做强|加快成长]。"],
    "体育": ["[比赛|赛道]设置[全程马拉松|半程马拉松|健康跑]等项目，途经{landmark}等[城市地标|景点]。", "[经过激烈角逐|最终]，{person}以[{race_time}|出色表现][夺得|获得][男子|女子]组冠军。", "[赛事期间|比赛当天]，[{num_mid}名志愿者|沿线医疗站]为选手提供[补给|医疗保障]服务。", "[市民|健身爱好者]{person}说，[家门口|小区旁]的[健身场地|球场]建好后，[每天|周末]都来[锻炼|打球]，[身体越来越好|认识了不少球友]。", "[据了解|目前]，{city}人均体育场地面积达到{area}平方米，经常参加体育锻炼的人数比例达到{pct_big}。"],
    "社区": ["[改造|施工]期间，[社区|街道][多次|先后]召开居民[议事会|协商会]，[征求|收集]意见{num_mid}条。", "[八旬|年近七十的]老人{person}[笑着说|高兴地告诉记者]：“[以前上下楼太难了|现在下楼买菜方便多了]，[电梯|食堂]真是办到了我们心坎上。”", "[社区食堂|长者饭堂]每天提供{num_small}种菜品，[老年人|高龄老人]就餐[享受优惠|有补贴]。", "[志愿者|网格员]{person}在社区工作了{num_small}年，[谁家有困难|邻里有纠纷]，[大家|居民]第一个想到的就是[她|他]。", "[下一步|今年]，{city}将[再|继续]改造老旧小区{num_mid}个，[新增|配建]养老托育设施{num_small}处。"],
    "天气": ["[气象专家|{city}市气象台首席预报员]{person}介绍，[此次|本轮]{weather}过程[影响范围广|持续时间长|强度较大]，[需|要]做好防范。", "[气象部门|专家]建议，[户外作业人员|中小学生]应[合理安排时间|注意防暑降温|添衣保暖]。", "[农业部门|农技人员]提醒，[设施大棚|在田作物]要[加固|做好防冻措施|及时排水]，[减少|降低]{weather}带来的损失。", "[预计|据预报]，[下周|{month}下旬]起[气温将逐步回升|天气转好]，[降水|大风][明显减少|逐渐减弱]。"],
}

QUOTES = [
    "{agency}[局长|副局长|相关负责人|新闻发言人]{person}[表示|介绍]，[下一步|今后]将[继续|进一步][完善|优化][相关|配套]政策，[让群众有更多获得感|切实解决群众急难愁盼问题]。",
    "“[这件事|这项工作]办得[好|实在]，[我们|老百姓]看得见摸得着。”{role}{person}[说|表示]。",
    "[据{agency}消息|记者从{agency}获悉]，[相关工作|这项工作]将在{month}底前[全面完成|基本完成]。",
    "[专家|{university}教授]{person}认为，[这一做法|此举][值得推广|具有示范意义]，[但|同时]也需[注意|关注][长效管理|后续运营]。",
]
CLOSINGS = [
    "[记者|本报记者]了解到，[相关工作|下一阶段工作]正在[有序推进|紧锣密鼓地进行]中。",
    "[据悉|此外]，[市民|群众]如有[意见建议|疑问]，可通过[政务服务热线|{city}发布微信公众号]反映。",
    "[下一步|接下来]，{city}还将[围绕|聚焦]群众关心的[热点难点|民生]问题，[推出更多|持续推出]务实举措。",
]
SUBJECTS = ["{city}", "全市", "{town}", "{province}", "[城区|郊区|县域]", "[主城区|新城区]", "{city}[各区|各县]"]
SECTION_HEADS = ["[群众|市民]怎么说", "[记者|现场]探访", "[数据|成效]", "[下一步|未来]怎么办", "[背景|延伸]阅读"]
TOPICS = tuple(TITLES)


def _news_slots(rng: random.Random, year: int) -> dict:
    slots = base_slots(rng, year)
    city = slots["city"]
    slots.update({
        "line": str(rng.randrange(1, 19)),
        "km": f"{rng.uniform(8, 600):.1f}",
        "trend": lambda: rng.choice(["增长", "提升", "增加", "上升"]) + f"{rng.uniform(1, 35):.1f}%",
        "disease": lambda: rng.choice(zh.DISEASES),
        "weather": rng.choice(zh.WEATHER),
        "crop": rng.choice(zh.CROPS),
        "tech": rng.choice(zh.TECH_THINGS),
        "event": rng.choice(zh.SPORTS_EVENTS),
        "river": rng.choice(zh.RIVERS),
        "food": lambda: rng.choice(zh.FOODS),
        "school": lambda: f"{city}市第{rng.choice('一二三四五六七八九十')}[中学|小学|实验学校]".replace("[中学|小学|实验学校]", rng.choice(["中学", "小学", "实验学校"])),
        "hospital": lambda: f"{city}市{rng.choice(['第一', '第二', '中心', '中医', '妇幼保健', '儿童'])}医院",
        "dept": lambda: rng.choice(["呼吸科", "儿科", "急诊科", "心内科", "内分泌科", "眼科", "骨科"]),
        "good_days": str(rng.randrange(250, 350)),
        "race_time": f"{rng.randrange(2, 4)}小时{rng.randrange(0, 60):02d}分{rng.randrange(0, 60):02d}秒",
        "area": f"{rng.uniform(1.5, 3.5):.2f}",
        "quarter": rng.choice(["一季度", "上半年", "前三季度"]),
    })
    return slots


def compose(rng: random.Random, year: int, topic: str | None = None) -> Article:
    """One general news article about a city and a topic."""
    topic = topic or rng.choice(TOPICS)
    slots = _news_slots(rng, year)
    body = TemplateDeck(BODY[topic], rng, fallback=TemplateDeck(QUOTES, rng))
    blocks = [p(fill(rng.choice(LEADS[topic]), rng, slots))]
    n_paragraphs = rng.randint(3, 7)
    heads = rng.random() < 0.3
    for index in range(n_paragraphs):
        if heads and index in (1, n_paragraphs - 1):
            blocks.append(h(fill(rng.choice(SECTION_HEADS), rng, slots)))
        blocks.append(p("".join(mixed_sentences(rng, body, rng.randint(1, 3), slots, SUBJECTS, GENERAL_METRICS, 0.3))))
    blocks.append(p(fill(rng.choice(QUOTES), rng, slots)))
    blocks.append(p(fill(rng.choice(CLOSINGS), rng, slots)))
    title = fill(rng.choice(TITLES[topic]), rng, slots)
    return Article(title=title, blocks=blocks, lang="zh", genre="news", meta={"topic": topic, "city": slots["city"]})
