"""Read one article: which operations it is about, the places it covers, and every figure with its scope."""

from __future__ import annotations

from collections.abc import Iterable

from localangle.core.figures import Reading, other_period, outside_operation, read_sentence
from localangle.core.gazetteer import Gazetteer, load_gazetteer
from localangle.core.lexicon import Lexicon
from localangle.core.matching import Matcher
from localangle.core.numbers import Quantity
from localangle.core.places import ArticlePlaces, Focus, Mention, PlaceReader, add_region, attach
from localangle.core.text import Sentence, clean_text, split_sentences
from localangle.models.article import Article
from localangle.models.figure import Analysis, Figure, intervals_overlap
from localangle.models.operation import Operation

SentenceReading = tuple[Sentence, list[Quantity], list[Reading]]


class Reader:
    """Built once per set of operations (at cold start), then used for every article."""

    def __init__(self, operations: Iterable[Operation], gazetteer: Gazetteer | None = None) -> None:
        self.operations = {op.id: op for op in operations}
        self.gazetteer = gazetteer or load_gazetteer()
        self.lexicon = Lexicon.build(self.operations.values())
        self.matcher = Matcher(self.operations.values())
        agencies = tuple(a for op in self.operations.values() for a in op.lead_agencies)
        self.places = PlaceReader(self.gazetteer, agencies)

    def sentences(self, article: Article) -> list[Sentence]:
        title = [s for s in split_sentences(clean_text(article.title))] if article.title else []
        title = [Sentence(s.text, -1, i, s.tokens, is_title=True) for i, s in enumerate(title)]
        body = split_sentences(clean_text(article.text), first_index=len(title))
        return title + body

    def _read(self, article: Article) -> tuple[list[Sentence], ArticlePlaces, list[SentenceReading]]:
        """Sentences, places and every sentence's quantities and metric readings: the work shared by all."""
        sentences = self.sentences(article)
        places = self.places.read_article(sentences, article.patch)
        return sentences, places, [(s, *read_sentence(s, self.lexicon)) for s in sentences]

    def figures_for(self, article: Article, operation: str) -> list[Figure]:
        """The figures one operation would read in an article, whether or not the article matches it."""
        _, places, per_sentence = self._read(article)
        return self._figures(self.operations[operation], per_sentence, places)

    def analyse(self, article: Article) -> Analysis:
        sentences, places, per_sentence = self._read(article)
        all_readings = [r for _, _, readings in per_sentence for r in readings]
        matches = self.matcher.match(sentences, all_readings, article.published)
        figures: list[Figure] = []
        for match in matches:
            figures.extend(self._figures(self.operations[match.operation], per_sentence, places))
        by_index = {s.index: s.text for s in sentences}
        evidence = {scope: by_index[i] for scope, i in places.evidence().items()}
        regions = list(evidence)
        for figure in figures:
            if figure.part_of_operation:
                add_region(regions, figure.scope)
                evidence.setdefault(figure.scope, figure.sentence)
        return Analysis(matches=matches, regions=regions, figures=figures, evidence=evidence)

    def _figures(
        self,
        op: Operation,
        per_sentence: list[SentenceReading],
        places: ArticlePlaces,
    ) -> list[Figure]:
        focus = Focus()
        found: list[tuple[Sentence, Figure]] = []
        for sentence, quantities, readings in per_sentence:
            before = len(found)
            mentions = places.mentions.get(sentence.index, [])
            outside = outside_operation(sentence) or other_period(quantities, op)
            for r in readings:
                if r.metric not in op.metrics:
                    continue
                scope, reason = self._scope(op, sentence, r, quantities, mentions, focus, places)
                text = _span(sentence, r.start, r.end, mentions, r)
                found.append(
                    (
                        sentence,
                        Figure(
                            operation=op.id,
                            metric=r.metric,
                            low=r.low,
                            high=r.high,
                            qualifier=r.qualifier,
                            scope=scope,
                            part_of_operation=not outside,
                            text=text,
                            sentence=sentence.text,
                            scope_reason=reason,
                        ),
                    )
                )
            scopes = {f.scope for _, f in found[before:]}
            home = places.main_force
            if home and any(self.gazetteer.force_of(m.scope) == home for m in mentions):
                # "Thirty-eight from Bedfordshire were among 660 arrested across the UK": the sentence is
                # about the article's own area too, so what follows about "those arrested" may be about it
                scopes = set()
            focus.update(mentions, scopes)
        return _prefer_body(found)

    def _scope(
        self,
        op: Operation,
        sentence: Sentence,
        r: Reading,
        quantities: list[Quantity],
        mentions: list[Mention],
        focus: Focus,
        places: ArticlePlaces,
    ) -> tuple[str, str]:
        if r.metric in self.lexicon.operation_wide:
            return op.scope, "the figure describes the whole operation"
        attached = attach(sentence, r.quantity, quantities, mentions)
        if attached:
            return attached.scope, f"the sentence places it: {attached.name!r}"
        agents = [m for m in mentions if m.role == "agent"]
        if agents:
            return agents[0].scope, f"the sentence attributes it to {agents[0].name}"
        if r.low == r.high and any(a.metric == r.metric and a.value == r.low for a in op.anchor_figures):
            # "...; 39 were registered sex offenders" in a local report: a figure the operation is known by,
            # placed by nothing in its own clause, is the operation's own figure, not the article's area's
            return op.scope, f"the operation's own figure: {r.low:,} {r.metric.replace('_', ' ')}"
        home = places.main_force
        if (
            home
            and self.lexicon.kinds.get(r.metric) in ("age_min", "age_max")
            and not focus.counted
            and (focus.scope is None or self.gazetteer.force_of(focus.scope) != home)
        ):
            # "Those arrested are aged between 20 and 47" in a report about one force area, after "Forces
            # across the UK took part": the ages of the people it arrested. After "660 were arrested across
            # the UK" (a figure there) or in a town of the area, the preceding text decides, as for any figure
            return home, f"the ages of those arrested in {self.gazetteer.display(home)}, the article's area"
        if focus.scope:
            return focus.scope, focus.reason
        if home:
            return home, f"the article is about {self.gazetteer.display(home)}"
        if places.patch:
            patch = max(places.patch, key=lambda s: s.count("/"))  # the outlet's most specific patch
            return patch, f"the outlet's home patch ({self.gazetteer.display(patch)})"
        return op.scope, "no place given: the operation's own scope"


def _span(sentence: Sentence, start: int, end: int, mentions: list[Mention], r: Reading) -> str:
    """The figure's words: from the qualifier to the counted noun, with a place that directly follows."""
    tokens = sentence.tokens
    for m in mentions:
        if m.start >= end and m.start - end <= 3 and m.role == "locative":
            end = m.end
            break
    return sentence.text[tokens[start].start : tokens[end - 1].end]


def _prefer_body(found: list[tuple[Sentence, Figure]]) -> list[Figure]:
    """Keep each distinct figure once; where a headline contradicts the body, the body wins."""
    body_values: dict[tuple[str, str], set[tuple[int | None, int | None]]] = {}
    for sentence, f in found:
        if not sentence.is_title:
            body_values.setdefault((f.metric, f.scope), set()).add((f.low, f.high))
    kept: list[tuple[int, Figure]] = []
    seen: set[tuple[str, str, int | None, int | None, bool]] = set()
    # The body's wording first, so a figure the headline repeats is quoted from the body; then text order.
    for position, (sentence, f) in sorted(enumerate(found), key=lambda item: item[1][0].is_title):
        values = body_values.get((f.metric, f.scope))
        if (
            sentence.is_title
            and values
            and not any(intervals_overlap(f.low, f.high, lo, hi) for lo, hi in values)
        ):
            continue
        key = (f.metric, f.scope, f.low, f.high, f.part_of_operation)
        if key in seen:
            continue
        seen.add(key)
        kept.append((position, f))
    return [f for _, f in sorted(kept, key=lambda item: item[0])]
