"""English web articles: how-tos, travel, food, health, tech and finance explainers."""

from __future__ import annotations

import random

from xuanyuan.corpus import lexicon_en as en
from xuanyuan.corpus.article import Article, h, p, ul
from xuanyuan.corpus.genres.en_parts import part_sentence, shape_deck
from xuanyuan.corpus.templates import TemplateDeck, fill

D = en.display


def _name(rng: random.Random) -> str:
    return f"{rng.choice(en.FIRST_NAMES)} {rng.choice(en.LAST_NAMES)}"


def _company(rng: random.Random) -> str:
    return f"{rng.choice(en.COMPANY_STEMS)} {rng.choice(en.COMPANY_SUFFIXES)}"


def _money(rng: random.Random, low: float, high: float) -> str:
    value = rng.uniform(low, high)
    if value >= 1e9:
        return f"${value / 1e9:.1f} billion"
    if value >= 1e6:
        return f"${value / 1e6:.1f} million"
    return f"${value:,.0f}"


TOPICS = {
    "travel": {
        "titles": ["{n} Things to Do in {city} on a [Budget|Long Weekend]", "A First-Timer's Guide to {city}", "How We Spent [Three|Five] Days in {city} Without a Car", "Is {city} Worth Visiting in [Winter|Spring|Autumn]?"],
        "heads": ["Getting around", "Where to stay", "What to eat", "Day trips", "When to go", "What it cost us"],
        "body": [
            "We arrived in {city} on a [rainy|bright|cold] {weekday} and [checked into|dropped our bags at] a small guesthouse near the old harbor.",
            "The [metro|bus network|tram] is [cheap|easy to use|surprisingly clean], and a day pass costs about {small_money}.",
            "[Our favorite|The best] meal of the trip was a bowl of {food} at a [family-run|tiny] place that [only opens for dinner|has no sign outside].",
            "If you have an extra day, take the [train|ferry|bus] to {city2}; the ride takes about {hours} hours and the views are [worth it|stunning].",
            "[Prices|Hotel rates] jump during [festival season|the summer holidays], so book at least {weeks} weeks ahead.",
            "{person}, who has run walking tours in {city} for {years} years, told us the [quietest|best] time to visit the museum is right after lunch.",
            "We spent roughly {money} per person, not counting flights, which felt [reasonable|a bit steep] for {nights} nights.",
            "[Bring|Pack] comfortable shoes: [most|many] of the [sights|neighborhoods] are on hills and the [sidewalks|streets] are uneven.",
            "[Locals|Residents] we met [recommended|insisted on] {activity} along the coast, and [it turned out to be|it was] the highlight of our stay.",
        ],
    },
    "cooking": {
        "titles": ["The Easiest {food} You Will Ever Make", "Weeknight {food} in {minutes} Minutes", "Why My Grandmother's {food} Still Wins", "{n} Mistakes People Make With {food}"],
        "heads": ["Ingredients", "Method", "Tips and swaps", "Storing leftovers", "Why this works"],
        "body": [
            "Start by [warming|heating] a [heavy pan|large pot] over medium heat and adding a [splash|generous drizzle] of olive oil.",
            "[Add|Stir in] the {ingredient} and {ingredient2}, then let everything [soften|cook gently] for about {minutes} minutes.",
            "The secret is [patience|time]: [rushing|skipping] this step makes the {food} [bland|watery|tough].",
            "If you cannot find {ingredient}, {ingredient2} works [almost as well|just fine], though the flavor will be [milder|a little different].",
            "[Leftovers|The finished dish] will keep in the fridge for {days} days and [freeze|reheat] well.",
            "{person}, a cook from {city}, [taught me|showed me] to [season|taste] at every stage instead of only at the end.",
            "[Serve|We like to serve] it with [crusty bread|steamed rice|a simple green salad] and a [squeeze of lemon|handful of herbs].",
            "This recipe serves {servings} and costs [roughly|about] {small_money} to make at home.",
        ],
    },
    "gardening": {
        "titles": ["How to Grow {plant} in [Small Spaces|Containers]", "{n} Tips for Healthier {plant}", "What I Learned From a Year of Growing {plant}"],
        "heads": ["Choosing a spot", "Soil and water", "Common problems", "Harvest and care"],
        "body": [
            "{plant} need at least {hours} hours of direct sun, so pick the [brightest|sunniest] corner you have.",
            "Water deeply [once or twice a week|every few days] rather than a little every day; shallow watering [encourages weak roots|leads to disease].",
            "[Mix|Work] a few inches of compost into the soil before planting, and [mulch|cover the surface] to keep moisture in.",
            "[Aphids|Slugs|Powdery mildew] can be a problem in [humid|wet|warm] weather; {person} from the {city} garden club suggests [a gentle soap spray|handpicking in the evening].",
            "[Last season|This year] our {n} plants produced more than {kilos} kilograms, [far more|a lot more] than we expected.",
        ],
    },
    "health": {
        "titles": ["{n} Small Habits That Improve Your Sleep", "What Doctors Want You to Know About [Walking|Hydration|Stretching]", "Is {minutes} Minutes of Exercise a Day Enough?"],
        "heads": ["What the research says", "Getting started", "When to see a doctor", "The bottom line"],
        "body": [
            "A study of {num} adults published [last year|recently] found that people who [walked|slept] more [reported|had] [lower stress|better mood].",
            "Dr. {person}, a [family physician|sports medicine specialist] in {city}, [recommends|suggests] starting with {minutes} minutes a day.",
            "[Consistency|Routine] matters more than intensity, [especially|particularly] for beginners.",
            "If you have [a chronic condition|joint pain|heart problems], talk to your doctor before [changing|starting] a new routine.",
            "[Screens|Late meals|Caffeine] in the evening can [delay sleep|make it harder to fall asleep] by up to an hour.",
            "[Drinking|Keeping] a glass of water nearby is a simple way to [build the habit|remember].",
        ],
    },
    "technology": {
        "titles": ["{n} Settings to Change on Your New Phone", "How to Back Up Your Photos [Without Paying|for Free]", "Is It Time to Replace Your [Router|Laptop]?"],
        "heads": ["Why it matters", "Step by step", "What about privacy?", "Our recommendation"],
        "body": [
            "[Most|Many] devices ship with [battery-hungry|noisy] defaults that you can [switch off|change] in a few minutes.",
            "Open the settings menu, choose [Storage|Privacy|Battery], and [turn off|disable] anything you [do not use|rarely need].",
            "{company} [released|pushed] an update in {month} that [fixes|addresses] the [connection|battery drain|login] bug many users reported.",
            "If your {product} is more than {years} years old, [a replacement|an upgrade] may be [cheaper|better value] than [repairs|another fix].",
            "{person}, who [runs|works at] a repair shop in {city}, says the [most common|number one] problem she sees is [a swollen battery|a cracked screen].",
        ],
    },
    "sports": {
        "titles": ["{city} {team} [Edge|Beat] Rivals in [Overtime|a Late Comeback]", "What {team}'s New Coach Means for the Season", "{n} Takeaways From the Weekend in {sport}"],
        "heads": ["How it happened", "Key numbers", "What's next"],
        "body": [
            "The {team} [trailed|were behind] by {points} points at halftime before [a strong third quarter|a late rally] turned the game around.",
            "{person} [finished with|scored] {points} points and [was named|earned] player of the game.",
            "Attendance at the [stadium|arena] reached {num}, the [largest|biggest] crowd of the season.",
            "Coach {person2} said after the game that the team [still has work to do|showed real character].",
            "The {team} [travel to|host] {city2} next {weekday} in what [could decide|may shape] the [division|playoff race].",
        ],
    },
    "markets": {
        "titles": ["Stocks [Rise|Slip] as Investors Weigh [Rate Outlook|Earnings]", "{company} Shares [Jump|Fall] After Quarterly Results", "What the Latest [Inflation|Jobs] Report Means for Your Portfolio"],
        "heads": ["The numbers", "What analysts say", "What to watch"],
        "body": [
            "The S&P 500 [rose|fell] {pct} on {weekday}, while the Nasdaq [gained|lost] {pct} and the Dow [added|shed] {points} points.",
            "{company} reported quarterly revenue of {money}, [up|down] {pct} from a year earlier, [beating|missing] analyst estimates.",
            "[Bond yields|Treasury yields] [climbed|eased] after the [inflation|jobs] data, with the 10-year yield at {rate}.",
            '"[We think|Our view is that] the market has [priced in|not yet priced in] the next rate move," said {person}, chief strategist at {company}.',
            "[Energy|Technology|Bank] stocks [led the gains|weighed on the index], as [oil prices|chip demand|loan growth] [moved|shifted] sharply.",
            "{company} also [raised|cut] its full-year guidance to {money}, citing [strong demand|higher costs] for its {product}.",
        ],
    },
    "personal_finance": {
        "titles": ["How to Build an Emergency Fund on a [Tight|Modest] Budget", "{n} Ways to Cut Your Monthly Bills", "Should You Pay Off Debt or Invest First?"],
        "heads": ["Start with the basics", "Run the numbers", "Common mistakes", "The bottom line"],
        "body": [
            "Financial planners [often|usually] suggest keeping three to six months of expenses in a [high-yield savings account|separate account].",
            "If you spend {small_money} a month on [subscriptions|takeout|coffee], cutting it in half saves {money} a year.",
            "[Credit card|Card] interest [often|typically] runs above {rate}, so paying down [balances|debt] is a [guaranteed|risk-free] return.",
            "{person}, a [certified financial planner|money coach] in {city}, tells clients to [automate|schedule] savings on payday.",
            "[Index funds|Low-cost funds] are a [simple|sensible] choice for [long-term|retirement] investing because their fees are [low|minimal].",
            "[Review|Check] your [budget|spending] every {weeks} weeks and [adjust|update] it as your income changes.",
        ],
    },
    "central_banks": {
        "titles": ["Central Bank [Holds|Cuts|Raises] Rates, Signals [Patience|More to Come]", "What a Rate Cut Means for [Mortgages|Savers]"],
        "heads": ["The decision", "Market reaction", "What it means for you"],
        "body": [
            "Policymakers [voted|decided] to [keep|set] the benchmark rate at {rate}, [in line with|against] market expectations.",
            "[Inflation|Core inflation] [slowed|edged up] to {pct} in {month}, [still above|close to] the bank's 2% target.",
            "[Mortgage|Loan] rates [tend to|usually] follow the policy rate with a lag of [a few weeks|several months].",
            "Economist {person} at {company} expects [one more cut|a pause] before the end of the year.",
            "[Savers|Deposit holders] may see [lower|higher] returns on [savings accounts|certificates of deposit] as banks adjust.",
        ],
    },
}
GENERAL = ("travel", "cooking", "gardening", "health", "technology", "sports")
FINANCE = ("markets", "personal_finance", "central_banks")

CLOSINGS = [
    "[Have|Got] a question or a tip of your own? [Let us know|Share it] in the comments below.",
    "We will update this [article|guide] as [new information|prices] change.",
    "[In the end|Ultimately], the [best|right] choice depends on your own [situation|goals|budget].",
]
STATS = [
    "According to {org}, {share} of [households|adults|small businesses] [reported|said] {finding} in {year}.",
    "[Data from|Figures released by] {org} show that {metric} [rose|fell] {pct} in {year}, [the biggest change since {year2}|a modest shift].",
    "[Roughly|About|Nearly] {num} people [took part in|responded to] {org}, [conducted|carried out] in {month}.",
]
ORGS = ["the Census Bureau", "a national survey", "the national statistics office", "a university study", "the industry association", "the city council", "a consumer group", "a trade body"]
FINDINGS = ["spending more on groceries", "working from home at least once a week", "saving less than a year earlier", "planning a trip abroad", "cutting back on streaming services"]
METRICS = ["household spending", "average rent", "home prices", "visitor numbers", "energy use", "online sales"]


def _slots(rng: random.Random, year: int) -> dict:
    city = D(rng.choice(en.CITIES))
    return {
        "city": city, "city2": lambda: D(rng.choice(en.CITIES)), "person": lambda: _name(rng), "person2": lambda: _name(rng),
        "company": lambda: _company(rng), "food": D(rng.choice(en.FOODS)), "ingredient": lambda: D(rng.choice(en.INGREDIENTS)),
        "ingredient2": lambda: D(rng.choice(en.INGREDIENTS)), "plant": D(rng.choice(en.PLANTS)).capitalize(), "activity": D(rng.choice(en.ACTIVITIES)),
        "product": lambda: D(rng.choice(en.PRODUCTS)), "sport": D(rng.choice(en.SPORTS)), "team": rng.choice(en.COMPANY_STEMS) + "s",
        "n": str(rng.randrange(3, 15)), "num": f"{rng.randrange(800, 90000):,}", "minutes": str(rng.randrange(10, 60)), "hours": str(rng.randrange(2, 9)),
        "days": str(rng.randrange(2, 6)), "weeks": str(rng.randrange(2, 9)), "years": str(rng.randrange(2, 25)), "nights": str(rng.randrange(2, 9)),
        "servings": str(rng.randrange(2, 8)), "kilos": str(rng.randrange(3, 60)), "points": lambda: str(rng.randrange(3, 45)),
        "pct": lambda: f"{rng.uniform(0.1, 9):.1f}%", "rate": lambda: f"{rng.uniform(1.5, 24):.2f}%", "money": lambda: _money(rng, 500, 9e9),
        "small_money": lambda: _money(rng, 5, 400), "weekday": rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]),
        "month": lambda: rng.choice(["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]),
        "year": str(year), "year2": str(rng.randrange(1995, year - 1)), "org": lambda: rng.choice(ORGS), "share": lambda: f"{rng.randrange(12, 80)}%",
        "finding": lambda: rng.choice(FINDINGS), "metric": lambda: rng.choice(METRICS),
    }


def compose(rng: random.Random, year: int, topic: str | None = None, finance: bool | None = None) -> Article:
    """One English article; `finance` picks the finance topics (else general)."""
    if topic is None:
        finance = rng.random() < 0.35 if finance is None else finance
        topic = rng.choice(FINANCE if finance else GENERAL)
    spec = TOPICS[topic]
    slots = _slots(rng, year)
    body = TemplateDeck(spec["body"], rng)
    stats = TemplateDeck(STATS, rng)
    shapes = shape_deck(rng, topic)

    def sentences(k: int) -> list[str]:
        # Two of three sentences are assembled from parts; templates alone repeat too much.
        return [fill(body.draw(), rng, slots) if len(body) and rng.random() < 0.35 else part_sentence(rng, topic, slots, shapes) for _ in range(k)]

    blocks = [p(" ".join(sentences(2)))]
    for head in rng.sample(spec["heads"], min(len(spec["heads"]), rng.randint(2, 3))):
        blocks.append(h(head))
        for _ in range(rng.randint(1, 2)):
            paragraph = sentences(rng.randint(2, 3))
            if rng.random() < 0.4:
                paragraph.insert(rng.randrange(len(paragraph) + 1), fill(stats.draw(), rng, slots))
            blocks.append(p(" ".join(paragraph)))
        if rng.random() < 0.2:
            blocks.append(ul([part_sentence(rng, topic, slots, shapes) for _ in range(3)]))
    blocks.append(p(fill(rng.choice(CLOSINGS), rng, slots)))
    domain = "finance" if topic in FINANCE else "general"
    return Article(title=fill(rng.choice(spec["titles"]), rng, slots), blocks=blocks, lang="en", genre="web", meta={"topic": topic, "domain": domain})
