# ruff: noqa: E501  (sentence templates of the generated copy read best unbroken)
"""The benchmark's corpus: the seed and test articles and thousands of varied articles of our own, each with
the page an outlet would serve (navigation, adverts, scripts and all) and a place in an outlet's feed.

What is generated is a regional news day as the product meets it. About a quarter of the articles are local
angles on the national operation, told many ways: a force's arrests, warrants and safeguarded children,
breakdowns by town, figures in digits and in words, with and without naming the agency, some attributing the
county's total to a town. The rest is what else regional outlets run that day, much of it full of figures and
police vocabulary (burglaries, drugs raids, court cases, council budgets, football scores, road closures).
The same seed gives the same corpus, byte for byte.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from localangle.articles import article_files, content_hash, read_article_file
from localangle.core.gazetteer import load_gazetteer
from localangle.identity import article_id
from localangle.models.article import Article

DAY = datetime(2014, 7, 16, 6, 0, tzinfo=UTC)  # the morning the national operation was announced
ITEMS_PER_FEED = 25  # what one feed document lists


@dataclass(frozen=True)
class Item:
    """One article of the corpus: the article as an editor would read it and the page its outlet serves."""

    article: Article
    page: bytes
    kind: str  # "operation" | "other" | "file"


@dataclass
class Outlet:
    id: str
    name: str
    host: str
    patch: list[str]
    items: list[Item] = field(default_factory=list)

    @property
    def feed_url(self) -> str:
        return f"https://{self.host}/news/rss.xml"

    def page_url(self, item: Item) -> str:
        return item.article.url or f"https://{self.host}/news/{item.article.id}/"


def build(files: list[str], size: int = 2000, seed: int = 2014, hours: int = 16) -> list[Outlet]:
    """At least `size` articles: the article files given, then generated ones published over `hours` of the
    day, spread over one outlet per force area (and a wire for the files)."""
    rng = random.Random(seed)
    forces = _forces()
    items: list[Item] = []
    for path in article_files(files):
        article = read_article_file(path)
        items.append(Item(article, page_html(article, rng), "file"))
    n = 0
    while len(items) < size:
        force = rng.choice(forces)
        kind = "operation" if rng.random() < 0.25 else "other"
        title, paragraphs = (_operation_story if kind == "operation" else _other_story)(rng, force)
        published = DAY + timedelta(minutes=rng.randrange(0, hours * 60))
        url = f"https://{force.host}/news/{n:05d}-{_slug(title)}/"
        text = "\n\n".join(paragraphs)
        article = Article(
            id=article_id(url, None, ""),
            url=url,
            title=title,
            outlet=force.outlet,
            published=published,
            text=text,
            content_hash=content_hash(title, text),
        )
        items.append(Item(article, page_html(article, rng), kind))
        n += 1
    # each force's area has its outlet; the article files come from a national wire
    outlets = {"wire": Outlet("bench-wire", "Bench Wire", "www.bench-wire.example", ["uk"])}
    for force in forces:
        outlets[force.outlet] = Outlet(force.host.split(".")[1], force.outlet, force.host, [force.code])
    for item in items:
        outlets["wire" if item.kind == "file" else str(item.article.outlet)].items.append(item)
    return [o for o in outlets.values() if o.items]


def feeds(outlet: Outlet) -> list[list[Item]]:
    """The outlet's items as the feed documents that list them, at most ITEMS_PER_FEED each."""
    return [outlet.items[i : i + ITEMS_PER_FEED] for i in range(0, len(outlet.items), ITEMS_PER_FEED)]


def feed_xml(outlet: Outlet, items: list[Item]) -> bytes:
    """The outlet's RSS 2.0 feed listing `items`."""
    from localangle.local.world import rss

    return rss(outlet.name, f"https://{outlet.host}/", [(i.article, outlet.page_url(i)) for i in items])


_SECTIONS = ["News", "Local News", "Crime", "Courts", "Politics", "Business", "Education", "Health", "Sport",
             "Football", "Rugby", "Cricket", "What's On", "Lifestyle", "Food & Drink", "Property", "Motors",
             "Jobs", "Announcements", "Weather", "Traffic & Travel", "Opinion", "Letters", "Nostalgia"]  # fmt: skip


def page_html(article: Article, rng: random.Random) -> bytes:
    """The article's page as a regional outlet serves it: cookie banner, navigation, adverts between
    paragraphs, share buttons, most-read list, comments, footer and the scripts, some 25 to 55 kB."""
    esc = html.escape
    title, outlet = esc(article.title), esc(article.outlet or "The outlet")
    nav = "".join(f'<li><a href="/{_slug(s)}/">{esc(s)}</a></li>' for s in _SECTIONS * 2)
    body = []
    for i, paragraph in enumerate(article.text.split("\n\n")):
        body.append(f"<p>{esc(paragraph)}</p>")
        if i % 3 == 1:
            body.append(
                '<div class="ad-slot" data-slot="mpu"><span>Advertisement</span><span>Hide Ad</span></div>'
            )
        if i == 2:
            body.append(f'<p class="read-more"><strong>Read more:</strong> <a href="/news/{rng.randrange(10**6)}/">'
                        f"{esc(_headline(rng))}</a></p>")  # fmt: skip
    most_read = "".join(
        f'<li><a href="/news/{rng.randrange(10**6)}/">{esc(_headline(rng))}</a></li>' for _ in range(10)
    )
    comments = "".join(
        f'<div class="comment"><span class="user">{esc(rng.choice(_FIRST))}{rng.randrange(99)}</span>'
        f"<p>{esc(rng.choice(_COMMENTS))}</p></div>"
        for _ in range(rng.randrange(0, 6))
    )
    published = article.published.isoformat() if article.published else ""
    config = ",".join(f'"k{i}":"{rng.getrandbits(64):016x}"' for i in range(rng.randrange(150, 400)))
    script = "".join(
        f"function f{i}(a,b){{var c=a*{i}+b;return c>>>{i % 7}}};" for i in range(rng.randrange(300, 700))
    )
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{title} | {outlet}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="{title}"><meta property="og:type" content="article">
<meta property="article:published_time" content="{published}">
<link rel="stylesheet" href="/static/main.css"><link rel="preconnect" href="https://ads.example">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}",
"datePublished":"{published}","publisher":{{"@type":"Organization","name":"{outlet}"}}}}</script>
<script>window.adConfig={{{config}}};</script>
<style>.ad-slot{{min-height:250px}}.cookie{{position:fixed;bottom:0}}nav li{{display:inline}}</style>
</head><body>
<div class="cookie"><p>We use cookies to personalise content and ads and to analyse our traffic.</p>
<button>Accept all</button><button>Manage preferences</button></div>
<header><a class="logo" href="/">{outlet}</a><nav><ul>{nav}</ul></nav>
<form action="/search"><input name="q" placeholder="Search"></form></header>
<main><article><h1>{title}</h1>
<div class="byline">By {esc(rng.choice(_FIRST))} {esc(rng.choice(_LAST))}, Reporter · <time>{published}</time></div>
<div class="article-body">
{"".join(body)}
</div>
<div class="share">Share this article: <a href="#">Facebook</a> <a href="#">X</a> <a href="#">WhatsApp</a>
<a href="#">Email</a></div>
</article>
<aside><h2>Most read</h2><ol>{most_read}</ol></aside>
<section class="comments"><h2>Comments</h2>{comments}<p>Have your say: sign in to comment.</p></section>
</main>
<footer><ul>{nav}</ul><p>© {outlet} {DAY.year}. All rights reserved. Registered in England and Wales.</p>
<p>This website and associated newspapers adhere to the Independent Press Standards Organisation's Editors'
Code of Practice.</p></footer>
<script>{script}</script>
</body></html>""".encode()


# ---- the generator's vocabulary --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Force:
    code: str
    name: str
    area: str  # what the force's own area is called in copy
    towns: list[str]
    outlet: str
    host: str


def _forces() -> list[_Force]:
    out = []
    for force in load_gazetteer().forces.values():
        towns = [name for place, name in force.places.items() if place not in force.districts]
        area = force.display
        out.append(
            _Force(
                force.code,
                force.name,
                area,
                towns or [area],
                f"The {area} Herald",
                f"www.{_slug(area)}-herald.example",
            )
        )
    return out


_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_FIRST = ["James", "Sarah", "Mark", "Helen", "David", "Claire", "Paul", "Emma", "Andrew", "Rachel", "Gareth",
          "Nicola", "Ian", "Joanne", "Stuart", "Karen", "Neil", "Lisa", "Graham", "Amanda"]  # fmt: skip
_LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts", "Walker",
         "Wright", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Jackson", "Turner"]  # fmt: skip
_RANKS = ["Detective Superintendent", "Detective Chief Inspector", "Assistant Chief Constable", "Chief Inspector",
          "Detective Inspector", "Chief Superintendent"]  # fmt: skip
_COMMENTS = ["About time too.", "Well done to the officers involved.", "What about the burglaries on our street?",
             "Name and shame them.", "Shocking that this goes on.", "Good work by the police."]  # fmt: skip


def _number(rng: random.Random, n: int) -> str:
    """A count as copy writes it: words for small numbers, usually; digits otherwise."""
    if n <= 20 and rng.random() < 0.6:
        return _WORDS[n]
    if 20 < n < 100 and n % 10 and rng.random() < 0.2:
        return f"{_TENS[n // 10]}-{_WORDS[n % 10]}"
    return f"{n:,}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_RANKS)} {rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "story"


def _headline(rng: random.Random) -> str:
    return rng.choice(
        [
            "Plans for new homes on former factory site approved",
            "Man charged after town centre disturbance",
            "School celebrates outstanding Ofsted report",
            "Road to close for three weeks for resurfacing",
            "Town's oldest pub to reopen under new owners",
            "Council tax to rise by 1.99 per cent",
            "Striker's late goal seals promotion push",
            "Warning over rise in doorstep scams",
        ]
    )


def _operation_story(rng: random.Random, force: _Force) -> tuple[str, list[str]]:
    """A local angle on the national operation against online child abuse."""
    arrests = rng.randrange(3, 40)
    towns = rng.sample(force.towns, k=min(len(force.towns), rng.randrange(1, 4)))
    split = sorted(rng.sample(range(1, arrests), k=len(towns) - 1)) if len(towns) > 1 and arrests > 3 else []
    counts = [b - a for a, b in zip([0, *split], [*split, arrests], strict=True)] if split else [arrests]
    towns = towns[: len(counts)]
    named = rng.random() < 0.7  # otherwise the agency is never named: the matcher must see it anyway
    agency = rng.choice(["the National Crime Agency", "the NCA", "the National Crime Agency (NCA)"])
    where = force.area if rng.random() < 0.8 else towns[0]  # some copy gives the county's total to a town
    title = rng.choice(
        [
            f"{_number(rng, arrests).capitalize()} arrested in {where} in crackdown on online child abuse",
            f"{force.name} arrests {arrests} in operation against paedophiles",
            f"{where} suspects held in national child abuse images operation",
            f"Police in {where} arrest {arrests} over indecent images of children",
        ]
    )
    lede = rng.choice(
        [
            f"{force.name} has arrested {_number(rng, arrests)} people as part of a nationwide operation "
            "targeting people who view indecent images of children online.",
            f"{_number(rng, arrests).capitalize()} people from {where} were among 660 arrested across the UK in "
            + (f"an operation coordinated by {agency}." if named else "a six-month covert operation."),
            f"Officers in {where} arrested {_number(rng, arrests)} suspected paedophiles during a six-month "
            "operation against online child sexual exploitation.",
        ]
    )
    paragraphs = [lede]
    if named:
        paragraphs.append(
            f"The operation, coordinated by {agency} and involving police forces across England, Wales, "
            "Scotland and Northern Ireland, has led to 660 arrests nationally."
        )
    else:
        paragraphs.append(
            "Forces across the UK took part in the operation, which stayed covert until this week to protect "
            "children and secure evidence."
        )
    if len(counts) > 1:
        parts = [f"{_number(rng, c)} in {t}" for c, t in zip(counts, towns, strict=True)]
        paragraphs.append(f"There were {', '.join(parts[:-1])} and {parts[-1]}.")
    if rng.random() < 0.6:
        warrants = arrests + rng.randrange(0, 15)
        paragraphs.append(f"Officers executed {_number(rng, warrants)} search warrants across {force.area}.")
    if rng.random() < 0.5:
        paragraphs.append(
            f"{_number(rng, rng.randrange(2, 30)).capitalize()} children in {force.area} have been safeguarded "
            "as a result of the operation."
        )
    low = rng.randrange(18, 35)
    paragraphs.append(f"Those arrested are aged between {low} and {low + rng.randrange(15, 45)}.")
    if rng.random() < 0.4:
        paragraphs.append(
            "Among those arrested nationally were doctors, teachers, scout leaders, care workers and former "
            "police officers; 39 were registered sex offenders."
        )
    paragraphs.append(
        f'{_person(rng)} said: "Those who access indecent images of children online should know that they '
        'cannot hide. We will find them and bring them before the courts."'
    )
    paragraphs.append(
        "Anyone with concerns about a child can call the NSPCC helpline on 0808 800 5000, or contact police on "
        "101."
    )
    return title, paragraphs


def _other_story(rng: random.Random, force: _Force) -> tuple[str, list[str]]:
    """Everything else regional outlets run, much of it full of figures and police vocabulary."""
    town = rng.choice(force.towns)
    kind = rng.randrange(7)
    person = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    age = rng.randrange(19, 70)
    if kind == 0:
        n = rng.randrange(2, 9)
        return f"{_number(rng, n).capitalize()} arrested after burglaries in {town}", [
            f"{_number(rng, n).capitalize()} men have been arrested after a series of burglaries at homes and "
            f"businesses in {town}.",
            f"{force.name} said the arrests followed {_number(rng, n + rng.randrange(3, 20))} break-ins reported "
            "since the start of the year.",
            f"Officers recovered jewellery, laptops and {_number(rng, rng.randrange(2, 6))} cars during searches "
            "of addresses in the town.",
            f'{_person(rng)} said: "We know how distressing burglary is, and we will keep up the pressure."',
            "Anyone with information is asked to call 101, quoting incident 0412 of July 15.",
        ]
    if kind == 1:
        months = rng.randrange(6, 60)
        return f"{town} man jailed for dangerous driving", [
            f"{person}, {age}, of {town}, was jailed for {_number(rng, months)} months at Crown Court on Tuesday "
            "after admitting causing serious injury by dangerous driving.",
            f"The court heard he was driving at {rng.randrange(60, 110)}mph in a 30mph zone when he hit a cyclist.",
            f"He was also banned from driving for {_number(rng, rng.randrange(2, 6))} years.",
            f'Judge {rng.choice(_LAST)} told him: "You could easily have killed someone."',
        ]
    if kind == 2:
        budget = rng.randrange(80, 900)
        return f"{town} council sets budget with {rng.choice(['1.99', '2.99', '4.99'])} per cent tax rise", [
            f"Councillors in {town} have approved a budget of £{budget} million for the coming year.",
            f"The authority must save £{rng.randrange(3, 40)} million over the next {_number(rng, 3)} years, and "
            f"{_number(rng, rng.randrange(20, 200))} posts could go.",
            f'Council leader {person} said: "These are the hardest choices we have faced in a decade."',
            f"Opposition members said {_number(rng, rng.randrange(3, 12))} libraries and children's centres were "
            "at risk.",
        ]
    if kind == 3:
        a, b = rng.randrange(0, 5), rng.randrange(0, 4)
        return f"{town} win {a}-{b} to stay top of the league", [
            f"{town} Town beat their nearest rivals {a}-{b} on Saturday in front of a crowd of "
            f"{rng.randrange(800, 9000):,}.",
            f"{person} scored twice in the first half, his {_number(rng, rng.randrange(8, 25))}th and "
            f"{_number(rng, rng.randrange(26, 30))}th goals of the season.",
            f"The side have now won {_number(rng, rng.randrange(4, 12))} games in a row and sit "
            f"{_number(rng, rng.randrange(2, 9))} points clear.",
            f'Manager {rng.choice(_FIRST)} {rng.choice(_LAST)} said: "The lads were magnificent."',
        ]
    if kind == 4:
        weeks = rng.randrange(2, 12)
        return f"Main road into {town} to close for {weeks} weeks", [
            f"The main road into {town} will close for {_number(rng, weeks)} weeks from Monday for gas mains "
            "replacement.",
            f"A diversion of about {_number(rng, rng.randrange(3, 9))} miles will be signposted, and "
            f"{_number(rng, rng.randrange(2, 6))} bus routes will be affected.",
            f"The work is part of a £{rng.randrange(2, 30)} million programme across {force.area}.",
        ]
    if kind == 5:
        n = rng.randrange(2, 12)
        kilos = rng.randrange(1, 40)
        return f"Drugs worth £{rng.randrange(10, 900)},000 seized in {town} raids", [
            f"Police seized {kilos}kg of cannabis and arrested {_number(rng, n)} people during raids on "
            f"{_number(rng, n + rng.randrange(0, 5))} properties in {town}.",
            f"Officers from {force.name} executed warrants early on Tuesday morning as part of a crackdown on "
            "county lines drug dealing.",
            f"{_number(rng, rng.randrange(1, n + 1)).capitalize()} people have since been charged and will appear "
            "before magistrates.",
            f'{_person(rng)} said: "Drug dealing brings violence and exploitation to our streets."',
        ]
    pupils = rng.randrange(200, 1800)
    return f"{town} school rated outstanding by Ofsted", [
        f"A secondary school in {town} with {pupils:,} pupils has been rated outstanding by Ofsted.",
        f"Inspectors praised the school's sixth form, where {rng.randrange(60, 99)} per cent of students "
        "achieved their first choice of university.",
        f'Headteacher {person} said: "This is a tribute to our staff, our families and, above all, our young '
        'people."',
        f"The school, which opened in {rng.randrange(1950, 2005)}, was previously rated good.",
    ]
