"""Headlines and body are both read; where the headline contradicts the body, the body's figure stands."""

from localangle.core.analysis import Reader
from localangle.models.article import Article

NCA = "nca-2014-online-child-abuse"


def _figures(reader: Reader, title: str, body: str) -> set[tuple[str, int | None, str]]:
    article = Article(id="h", title=title, text=body, content_hash="h")
    return {(f.metric, f.low, f.scope) for f in reader.figures_for(article, NCA)}


def test_a_headline_figure_the_body_does_not_give_is_kept(reader: Reader) -> None:
    got = _figures(
        reader, "Kent Police arrest 30 in online abuse crackdown", "The force took part in the operation."
    )
    assert got == {("arrests", 30, "kent")}


def test_the_body_wins_where_the_headline_contradicts_it(reader: Reader) -> None:
    got = _figures(
        reader, "Kent Police arrest 30 in online abuse crackdown", "Kent Police arrested 31 people."
    )
    assert got == {("arrests", 31, "kent")}


def test_a_headline_consistent_with_the_body_is_quoted_from_the_body(reader: Reader) -> None:
    article = Article(
        id="h", title="Dozens arrested in Kent", text="Kent Police arrested 31 people.", content_hash="h"
    )
    figures = reader.figures_for(article, NCA)
    assert {(f.low, f.high) for f in figures} == {(24, None), (31, 31)}
    assert any(f.sentence == "Kent Police arrested 31 people." for f in figures)


def test_an_unplaced_figure_in_a_round_up_of_several_forces_is_not_given_to_one_of_them(
    reader: Reader,
) -> None:
    body = (
        "The National Crime Agency said 660 people had been arrested across the UK.\n\n"
        "In Cumbria, 14 people were arrested, Cumbria Constabulary said.\n\n"
        "Lancashire Police said 31 people had been arrested in the county."
    )
    got = _figures(reader, "Hundreds held in online child abuse investigation", body)
    assert ("arrests", 200, "cumbria") not in got
    assert {("arrests", 14, "cumbria"), ("arrests", 31, "lancashire"), ("arrests", 660, "uk")} <= got


def test_an_unplaced_figure_in_an_article_about_one_force_is_that_forces(reader: Reader) -> None:
    body = (
        "Cumbria Constabulary took part in the operation.\n\nOfficers in Cumbria searched homes in Carlisle."
    )
    assert ("arrests", 12, "cumbria") in _figures(reader, "Police arrest 12 in abuse inquiry", body)
