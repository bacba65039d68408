"""Alerts that are not sent one by one: a feed's backlog (one catch-up summary) and a newsroom's digest."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from localangle.adapters import slack
from localangle.articles import read_article_file
from localangle.config import load_dir
from localangle.local.replay import NATIONAL_DESK
from localangle.local.world import World
from localangle.models.config import Newsroom
from tests.conftest import ARTICLES, ROOT, SEEDS, operation_texts
from tests.flows import emails_sent, ses_sent

T0 = datetime(2014, 7, 16, 9, 0, tzinfo=UTC)
STORIES = {
    "000_98b505946a0e415d.txt": "cheshire-news",
    "001_bc18daddbc62a9cf.txt": "warrington-guardian",
    "002_07ae43b2fee9f68a.txt": "devon-cornwall-news",
    "003_a9380d374fd3a241.txt": "nottinghamshire-news",
}


def _headers(world: World) -> list[tuple[str, str]]:
    """(webhook path, header text) of every Slack message received."""
    return [(path, payload["blocks"][0]["text"]["text"]) for path, payload in world.slack.messages]


CONFIG = load_dir(SEEDS)


@contextmanager
def _seed_world(tmp_path: Path, backlog: list[str]) -> Iterator[World]:
    """The seeds' feeds and newsrooms, `backlog` stories already published before the first poll."""
    with World(ROOT, operation_texts(), CONFIG.newsrooms, tmp_path / "flow.log") as world:
        for feed in CONFIG.feeds:
            world.add_outlet(feed)
        for name in backlog:
            _publish(world, name, T0 - timedelta(hours=2))
        yield world


def _publish(world: World, name: str, when: datetime) -> None:
    feed = STORIES[name]
    outlet = next(f.outlet for f in CONFIG.feeds if f.id == feed)
    article = read_article_file(ARTICLES / name).model_copy(update={"outlet": outlet, "published": when})
    world.publish(feed, article, None, Path(name).stem)


def test_a_feeds_backlog_on_its_first_poll_is_one_summary_then_news_alerts_as_usual(tmp_path: Path) -> None:
    # Given three stories already in the outlets' feeds when localangle first polls them
    with _seed_world(tmp_path, list(STORIES)[:3]) as world:
        world.upload_config()  # the first poll
        # Then each newsroom the backlog touches gets one summary, and no alert one by one
        headers = _headers(world)
        assert sorted(path for path, _ in headers) == ["/hooks/cheshire-desk", "/hooks/national-desk"]
        assert all(text.startswith("Catching up: ") for _, text in headers)
        national = next(p for path, p in world.slack.messages if path == "/hooks/national-desk")
        listed = " ".join(str(b) for b in national["blocks"])
        assert "Conflicting figure: arrests in Warrington" in listed
        assert "New regional angle: Devon and Cornwall" in listed
        # ... though the alerts were raised and recorded, marked as catch-up
        assert world.alerts() and all(a["catch_up"] for a in world.alerts())
        # When a new story appears after that first poll, Then it alerts as usual
        before = len(world.slack.messages)
        _publish(world, "003_a9380d374fd3a241.txt", T0)
        world.tick(T0)
        new = _headers(world)[before:]
        assert sorted(new) == [
            ("/hooks/east-midlands-desk", "New regional angle: Nottinghamshire"),
            ("/hooks/national-desk", "New regional angle: Nottinghamshire"),
        ]
        # And the summaries are not sent again
        world.tick(T0 + timedelta(minutes=15))
        assert len(world.slack.messages) == before + 2


def test_an_hourly_digest_collects_alerts_and_goes_out_once_an_hour(tmp_path: Path) -> None:
    desk = Newsroom.model_validate({**NATIONAL_DESK.model_dump(), "digest": "hourly"})
    feeds = [f for f in CONFIG.feeds if f.id in STORIES.values()]
    with World(ROOT, operation_texts(), [desk], tmp_path / "flow.log") as world:
        for feed in feeds:
            world.add_outlet(feed)
        world.upload_config()
        assert world.slack.messages == []
        # Given the Cheshire story at 09:00: the first digest is due at once
        _publish(world, "000_98b505946a0e415d.txt", T0)
        world.tick(T0)
        assert [text for _, text in _headers(world)] == ["Hourly digest for Replay desk: 1 alert"]
        # When the Warrington story raises a conflict at 09:15, Then it waits for the next hour
        _publish(world, "001_bc18daddbc62a9cf.txt", T0 + timedelta(minutes=15))
        world.tick(T0 + timedelta(minutes=15))
        world.tick(T0 + timedelta(minutes=30))
        assert len(world.slack.messages) == 1
        world.tick(T0 + timedelta(hours=1))
        headers = [text for _, text in _headers(world)]
        assert headers == ["Hourly digest for Replay desk: 1 alert", "Hourly digest for Replay desk: 1 alert"]
        second: dict[str, Any] = world.slack.messages[1][1]
        assert "Conflicting figure: arrests in Warrington" in str(second["blocks"])
        # And an hour with nothing new sends nothing
        world.tick(T0 + timedelta(hours=2))
        assert len(world.slack.messages) == 2


def test_reports_older_than_an_operations_tracking_start_are_summarised(tmp_path: Path) -> None:
    operations = [
        (name, text + "\ntracked_since: 2014-07-17T00:00:00Z\n" if "nca-2014" in name else text)
        for name, text in operation_texts()
    ]
    feeds = [f for f in CONFIG.feeds if f.id in STORIES.values()]
    with World(ROOT, operations, [NATIONAL_DESK], tmp_path / "flow.log") as world:
        for feed in feeds:
            world.add_outlet(feed)
        world.upload_config()
        # Given a story published before the newsroom began tracking the operation, found in a later poll
        _publish(world, "000_98b505946a0e415d.txt", T0)
        world.tick(T0 + timedelta(days=2))
        # Then it is in the ledger and in one summary, not an alert of its own
        assert [text for _, text in _headers(world)] == ["Catching up: 1 alert from earlier reports"]
        assert [a["region"] for a in world.alerts()] == ["cheshire"]


def test_a_refused_summary_is_sent_again_whole_and_does_not_hold_up_other_newsrooms(tmp_path: Path) -> None:
    with _seed_world(tmp_path, list(STORIES)[:2]) as world:
        sent_email: list[Any] = []
        from localangle.adapters import aws

        aws.client("ses").meta.events.register(
            "provide-client-params.ses.SendEmail", lambda params, **_: sent_email.append(params)
        )
        # Given Slack refusing the first summary it is sent, retries too (the national desk's: it comes first)
        world.slack.refuse = [500] * (1 + slack.RETRIES)
        world.upload_config()  # first poll: a backlog, summarised
        # Then the Cheshire desk still had its summary, and the national desk's waits (its email too)
        assert [path for path, _ in world.slack.messages] == ["/hooks/cheshire-desk"]
        assert sent_email == []
        # When the next scheduled run comes, Then the national desk gets the same summary, once per channel
        world.tick(T0)
        assert sorted(path for path, _ in world.slack.messages) == [
            "/hooks/cheshire-desk",
            "/hooks/national-desk",
        ]
        assert len(sent_email) == 1 and "Catching up" in sent_email[0]["Message"]["Subject"]["Data"]
        world.tick(T0 + timedelta(minutes=15))
        assert len(world.slack.messages) == 2 and len(sent_email) == 1


def _mail(world: World) -> list[tuple[str, str]]:
    """(recipients, subject) of every email SES accepted, in order."""
    return [(",".join(m.destinations["ToAddresses"]), m.subject) for m in ses_sent()]


def test_a_runs_alerts_reach_a_newsrooms_email_as_one_email_and_its_slack_one_by_one(tmp_path: Path) -> None:
    with _seed_world(tmp_path, []) as world:
        world.upload_config()
        _publish(world, "000_98b505946a0e415d.txt", T0)
        world.tick(T0)
        assert _mail(world) == [
            ("national.desk@newsroom.example", "[localangle] New regional angle: Cheshire")
        ]
        # Given two stories in one run: the Warrington conflict and Devon and Cornwall's first report
        _publish(world, "001_bc18daddbc62a9cf.txt", T0 + timedelta(minutes=15))
        _publish(world, "002_07ae43b2fee9f68a.txt", T0 + timedelta(minutes=15))
        world.flow.schedule(T0 + timedelta(minutes=15))
        world.flow.drain()
        # Then Slack has each alert at once, and email waits for the scheduled run
        national = [text for path, text in _headers(world) if path == "/hooks/national-desk"]
        assert sorted(national[1:]) == [
            "Conflicting figure: arrests in Warrington",
            "New regional angle: Devon and Cornwall",
        ]
        assert len(_mail(world)) == 1
        # When the run's roundup comes, Then each newsroom gets one email of its alerts, each in full
        world.flow.roundup(T0 + timedelta(minutes=15))
        mail = _mail(world)[1:]
        assert sorted(mail) == [
            (
                "national.desk@newsroom.example",
                "[localangle] 2 alerts: Conflicting figure: arrests in Warrington; New regional angle: "
                "Devon and C…",
            ),
            ("newsdesk@south-west.example", "[localangle] New regional angle: Devon and Cornwall"),
        ]
        assert sorted(emails_sent(world)[1:]) == [
            "Conflicting figure: arrests in Warrington → national.desk@newsroom.example",
            "New regional angle: Devon and Cornwall → national.desk@newsroom.example",
            "New regional angle: Devon and Cornwall → newsdesk@south-west.example",
        ]
        bundle = next(m for m in ses_sent() if m.subject.startswith("[localangle] 2 alerts"))
        assert "Why:" in bundle.body and "Warrington" in bundle.body and "<hr>" in bundle.body
        # And the next run, with nothing new, sends nothing
        world.tick(T0 + timedelta(minutes=30))
        assert len(_mail(world)) == 3


def test_a_newsroom_can_take_an_email_for_each_alert_as_it_comes(tmp_path: Path) -> None:
    desk = Newsroom.model_validate(
        {**NATIONAL_DESK.model_dump(), "email": ["desk@replay.example"], "email_every": "alert"}
    )
    feeds = [f for f in CONFIG.feeds if f.id in STORIES.values()]
    with World(ROOT, operation_texts(), [desk], tmp_path / "flow.log") as world:
        for feed in feeds:
            world.add_outlet(feed)
        world.upload_config()
        _publish(world, "000_98b505946a0e415d.txt", T0)
        world.flow.schedule(T0)
        world.flow.drain()  # no roundup: SendAlert sent it
        assert [subject for _, subject in _mail(world)] == ["[localangle] New regional angle: Cheshire"]
        world.flow.roundup(T0)
        assert len(_mail(world)) == 1


def test_more_alerts_held_than_one_message_carries_go_in_several_in_the_same_run(
    world: Any, monkeypatch: Any
) -> None:
    from localangle.adapters.storage import HeldAlerts
    from localangle.models.alert import Alert
    from localangle.pipeline import roundup

    # Given 450 alerts held for a newsroom's email (a backfill, or a day when SES refused everything),
    # raised in the reverse order of their stories' publication (held in the order they were raised)
    store = HeldAlerts(world.cloud.env["DIGEST_TABLE"])
    room = NATIONAL_DESK
    for alert in _held_alerts(450, raised_in_reverse=True):
        store.hold(room.id, roundup.EMAIL, alert)
    sent: list[list[str]] = []

    def send(what: str, alerts: list[Alert]) -> list[Any]:
        sent.append([a.headline for a in alerts])
        return []

    # When they are flushed, Then they go in emails of 200 at most, the earliest stories first, all at once
    assert roundup._flush(room, roundup.EMAIL, store, store.read(room.id), send) == 3
    assert [len(batch) for batch in sent] == [200, 200, 50]
    assert [h for batch in sent for h in batch] == [f"story {n}" for n in range(450)]
    assert not store.read(room.id).pending(roundup.EMAIL)  # and all of them are released


def _held_alerts(count: int, raised_in_reverse: bool = False) -> list[Any]:
    """`count` new regional angles, story n published at T0 + n minutes."""
    from localangle.models.alert import Alert, Source

    return [
        Alert(
            key=f"op:new_regional_angle:{n:024x}",
            kind="new_regional_angle",
            severity="info",
            operation="op",
            operation_name="Op",
            region="cheshire",
            headline=f"story {n}",
            created_at=T0 + (timedelta(days=1, minutes=-n) if raised_in_reverse else timedelta(minutes=n)),
            trigger=Source(article_id=f"a{n}", outlet="Courier", published=T0 + timedelta(minutes=n)),
        )
        for n in range(count)
    ]


def test_a_run_near_its_timeout_starts_no_more_messages_and_the_next_run_sends_the_rest_once(
    world: Any, monkeypatch: Any
) -> None:
    from localangle.adapters.storage import HeldAlerts
    from localangle.pipeline import roundup

    store, room = HeldAlerts(world.cloud.env["DIGEST_TABLE"]), NATIONAL_DESK
    for alert in _held_alerts(450):
        store.hold(room.id, roundup.EMAIL, alert)
    sent: list[list[str]] = []

    def send(what: str, alerts: list[Any]) -> list[Any]:
        sent.append([a.headline for a in alerts])
        return []

    # Given a run whose time runs short once its first email is sent
    monkeypatch.setattr(roundup, "monotonic", lambda: 100.0 if sent else 0.0)
    deadline = roundup.Deadline(at=50.0)
    # Then it stops there, and the rest stays held
    try:
        roundup._flush(room, roundup.EMAIL, store, store.read(room.id), send, deadline=deadline)
    except roundup.OutOfTime as stop:
        assert stop.sent == 1
    else:
        raise AssertionError("the run went on past its deadline")
    assert [len(batch) for batch in sent] == [200]
    assert len(store.read(room.id).pending(roundup.EMAIL)) == 250
    # And the next run sends the rest, nothing twice
    assert roundup._flush(room, roundup.EMAIL, store, store.read(room.id), send) == 2
    assert [h for batch in sent for h in batch] == [f"story {n}" for n in range(450)]


def test_a_digest_cut_short_by_the_timeout_is_not_marked_sent_so_the_next_run_sends_its_rest(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from localangle.adapters.storage import HeldAlerts
    from localangle.pipeline import roundup

    desk = Newsroom.model_validate({**NATIONAL_DESK.model_dump(), "digest": "hourly"})
    with World(ROOT, operation_texts(), [desk], tmp_path / "flow.log") as world:
        world.upload_config(prime=False)
        store = HeldAlerts(world.cloud.env["DIGEST_TABLE"])
        for alert in _held_alerts(5):
            store.hold(desk.id, roundup.DIGEST, alert)
        monkeypatch.setitem(roundup.BATCH_MAX, roundup.DIGEST, 2)
        # Given a run whose time runs short once the digest's first message is in Slack
        monkeypatch.setattr(roundup, "monotonic", lambda: 100.0 if world.slack.messages else 0.0)
        assert roundup.send_summaries(T0, roundup.Deadline(at=50.0)) == 1
        held = store.read(desk.id)
        assert held.last_sent(roundup.DIGEST) is None and len(held.pending(roundup.DIGEST)) == 3
        # When the next run comes (within the same hour), Then the digest's rest goes out, and is marked
        monkeypatch.setattr(roundup, "monotonic", lambda: 0.0)
        assert roundup.send_summaries(T0 + timedelta(minutes=15), roundup.Deadline(at=50.0)) == 2
        assert store.read(desk.id).last_sent(roundup.DIGEST) == T0 + timedelta(minutes=15)
        assert [text for _, text in _headers(world)] == [
            "Hourly digest for Replay desk: 2 alerts",
            "Hourly digest for Replay desk: 2 alerts",
            "Hourly digest for Replay desk: 1 alert",
        ]


def test_a_run_out_of_time_between_a_messages_channels_sends_the_rest_next_run_and_nothing_twice(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from localangle.adapters.storage import HeldAlerts
    from localangle.pipeline import roundup

    desk = Newsroom.model_validate(
        {**NATIONAL_DESK.model_dump(), "digest": "hourly", "email": ["desk@newsroom.example"]}
    )
    with World(ROOT, operation_texts(), [desk], tmp_path / "flow.log") as world:
        world.upload_config(prime=False)
        store = HeldAlerts(world.cloud.env["DIGEST_TABLE"])
        for alert in _held_alerts(3):
            store.hold(desk.id, roundup.DIGEST, alert)
        # Given a run whose time runs short once the digest is in Slack, before its email
        monkeypatch.setattr(roundup, "monotonic", lambda: 100.0 if world.slack.messages else 0.0)
        assert roundup.send_summaries(T0, roundup.Deadline(at=50.0)) == 0
        assert len(world.slack.messages) == 1 and ses_sent() == []
        held = store.read(desk.id)
        assert held.batch(roundup.DIGEST) is not None and held.last_sent(roundup.DIGEST) is None
        # When the next run comes, Then the email goes out, and Slack does not get the digest again
        assert roundup.send_summaries(T0 + timedelta(minutes=15), roundup.Deadline(at=150.0)) == 1
        assert len(world.slack.messages) == 1 and len(ses_sent()) == 1
        held = store.read(desk.id)
        assert held.batch(roundup.DIGEST) is None and held.last_sent(roundup.DIGEST) is not None


def test_a_runs_deadline_is_its_time_left_less_the_margin(monkeypatch: Any) -> None:
    from localangle.pipeline import roundup

    monkeypatch.setattr(roundup, "monotonic", lambda: 1_000.0)
    deadline = roundup.Deadline.within(120_000)
    assert deadline.at == 1_000.0 + 120 - roundup.SEND_MARGIN_SECONDS
    assert not deadline.passed()
    monkeypatch.setattr(roundup, "monotonic", lambda: 1_000.0 + 120 - roundup.SEND_MARGIN_SECONDS)
    assert deadline.passed()
    assert not roundup.Deadline.within(None).passed()
