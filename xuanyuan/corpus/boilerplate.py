"""Page furniture around the main text: navigation, ads, related links, share bars, footers, cookie banners.

Each function returns plain strings; html_pages.py decides the markup. Site-level pieces (menus,
footers) are fixed per site, page-level pieces (ads, related links) vary per page, as on real sites.
"""

from __future__ import annotations

import random

from xuanyuan.corpus import entities as ent
from xuanyuan.corpus import lexicon_en as en
from xuanyuan.corpus import lexicon_zh as zh

ZH_NAV = ["首页", "新闻", "国内", "国际", "财经", "股票", "基金", "理财", "科技", "汽车", "房产", "教育", "健康", "旅游", "体育", "娱乐", "文化", "视频", "图片", "专题", "评论", "地方"]
EN_NAV = ["Home", "News", "World", "Business", "Markets", "Money", "Tech", "Travel", "Food", "Health", "Sports", "Culture", "Opinion", "Video", "Newsletters", "Podcasts"]
ZH_FOOTER_LINKS = ["关于我们", "联系我们", "广告服务", "网站地图", "招聘信息", "隐私政策", "用户协议", "意见反馈", "合作伙伴", "法律声明"]
EN_FOOTER_LINKS = ["About us", "Contact", "Advertise", "Careers", "Privacy policy", "Terms of use", "Accessibility", "Sitemap", "Cookie settings"]
ICP_PROVINCES = "京沪粤浙苏川鄂湘鲁闽"

ZH_ADS = [
    "{brand}开户送好礼，佣金低至万分之一点五", "下载{site}客户端，阅读更多精彩资讯", "点击领取{n}元新人专享红包", "{brand}理财节：限时加息，年化收益看得见",
    "【广告】{brand}新品上市，首发立减{n}元", "扫码下载APP，实时行情随时看", "{city}楼盘特惠：首付{n}万起，地铁口精装房", "专业炒股软件免费试用{n}天",
    "{brand}汽车金融：0首付开新车", "暑期特惠：{city}出发跟团游{n}元起", "在线教育名师课：{n}元试听三节",
]
EN_ADS = [
    "Subscribe today and get your first month for ${n}", "Advertisement: Refinance with {brand} and save up to {n}%", "Sponsored: The {brand} travel card with no foreign fees",
    "Try {brand} Premium free for {n} days", "Download our app for breaking news alerts", "Sponsored: {n} gadgets everyone is buying this year", "Advertisement: {brand} Home Insurance quotes in minutes",
]
ZH_COOKIE = [
    "本网站使用Cookie以提升您的浏览体验，继续浏览即表示您同意我们使用Cookie。", "我们使用Cookie来分析网站流量并改善服务，详情请查看《隐私政策》。",
    "为了给您提供更好的服务，本站会使用Cookie，点击“接受”即表示同意。",
]
EN_COOKIE = [
    "We use cookies to improve your experience on our site. By continuing to browse, you agree to our use of cookies.",
    "This website uses cookies for analytics and personalised content. Manage your preferences in Cookie settings.",
    "We and our partners use cookies to deliver ads and measure traffic. Click Accept to continue.",
]
ZH_SHARE = ["分享到：", "微信", "微博", "QQ空间", "复制链接"]
EN_SHARE = ["Share:", "Facebook", "X", "LinkedIn", "Email", "Copy link"]
ZH_HOT_TITLES = [
    "{city}{thing}最新消息", "{brand}发布{year}年度报告", "{person}：{thing}的三点思考", "一图读懂{thing}", "{city}今年将新建{n}所学校",
    "{thing}迎来新变化，这些人受益", "{index}收评：{industry}板块走强", "{city}发布{thing}实施方案", "专家解读：{thing}意味着什么",
]
ZH_THINGS = ["个人养老金", "医保报销", "公积金政策", "新能源车补贴", "消费券", "房贷利率", "退休金调整", "高考志愿填报", "城市更新", "夜间经济", "数字人民币", "人才引进政策"]
EN_HOT_TITLES = [
    "{n} things to know before you travel to {city}", "What {brand}'s earnings mean for investors", "The best {thing} of the year, tested", "How {city} is tackling housing costs",
    "Opinion: Why {thing} matters more than ever", "Inside {brand}'s new headquarters", "{city} weekend guide: where to eat now",
]
EN_THINGS = ["budget phones", "running shoes", "savings accounts", "electric bikes", "coffee grinders", "travel credit cards", "air purifiers", "hiking trails"]


def _fill(template: str, rng: random.Random, lang: str, site: str) -> str:
    if lang == "zh":
        values = {"brand": ent.brand_word(rng), "site": site, "n": str(rng.randrange(5, 500)), "city": rng.choice(zh.CITIES), "person": ent.person_name(rng),
                  "thing": rng.choice(ZH_THINGS), "year": str(rng.randrange(2019, 2025)), "index": rng.choice(zh.INDICES), "industry": rng.choice(zh.INDUSTRY_NAMES)}
    else:
        values = {"brand": rng.choice(en.COMPANY_STEMS), "site": site, "n": str(rng.randrange(2, 60)), "city": en.display(rng.choice(en.CITIES)), "thing": rng.choice(EN_THINGS)}
    return template.format(**values)


def site_nav(rng: random.Random, lang: str) -> list[str]:
    items = ZH_NAV if lang == "zh" else EN_NAV
    return [items[0]] + sorted(rng.sample(items[1:], rng.randint(7, 12)), key=items.index)


def ads(rng: random.Random, lang: str, site: str, k: int) -> list[str]:
    pool = ZH_ADS if lang == "zh" else EN_ADS
    return [_fill(t, rng, lang, site) for t in rng.sample(pool, k)]


def hot_titles(rng: random.Random, lang: str, site: str, k: int) -> list[str]:
    pool = ZH_HOT_TITLES if lang == "zh" else EN_HOT_TITLES
    return [_fill(rng.choice(pool), rng, lang, site) for _ in range(k)]


def cookie_text(rng: random.Random, lang: str) -> str:
    return rng.choice(ZH_COOKIE if lang == "zh" else EN_COOKIE)


def share_items(lang: str) -> list[str]:
    return ZH_SHARE if lang == "zh" else EN_SHARE


def footer_lines(rng: random.Random, lang: str, site: str) -> list[str]:
    """Copyright, licence numbers and link rows: fixed per site (seeded by the site name)."""
    site_rng = random.Random(f"footer:{site}")
    start = site_rng.randrange(1998, 2015)
    if lang == "zh":
        province = site_rng.choice(ICP_PROVINCES)
        return [
            " | ".join(site_rng.sample(ZH_FOOTER_LINKS, 6)),
            f"版权所有 © {start}-2024 {site} 保留所有权利",
            f"{province}ICP备{site_rng.randrange(10**7, 10**8)}号-{site_rng.randrange(1, 9)}　{province}公网安备 {site_rng.randrange(10**13, 10**14)}号",
            f"未经{site}书面授权，不得转载、摘编或以其他方式使用本网站内容",
            "违法和不良信息举报中心　网络文化经营许可证　互联网新闻信息服务许可",
        ]
    return [
        " | ".join(site_rng.sample(EN_FOOTER_LINKS, 6)),
        f"© {start}-2024 {site}. All rights reserved.",
        f"{site} is not responsible for the content of external sites.",
    ]
