"""Answer feedback and `make report`, end to end: real conversations over REST with the
bot `make run` starts, then the report on that tracker store (SQLite, and PostgreSQL),
opened in headless Chromium."""

from __future__ import annotations

import csv
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from scripts.servers import ROOT, Bot, running_bot
from tests.integration.conftest import texts
from tests.integration.test_store_outages import database  # noqa: F401
from tests.integration.test_webchat import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FEEDBACK_PAYLOADS = ["/feedback_helpful", "/feedback_not_helpful"]
DECLINED = [
    "does minoxidil work?",
    "Does minoxidil really work",
    "who won the football game last night?",
]
PARTIAL = "can prednisone make you gain weight?"


def new_sender() -> str:
    return f"report-{uuid.uuid4().hex}"


def make_report(out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "report", f"OUT={out}"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def rows(csv_path: Path) -> list[dict[str, str]]:
    with csv_path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def conversations(responses: dict[str, str]) -> Iterator[Bot]:
    """A bot of its own (its store holds only these conversations) after answered,
    partial, declined and off-topic questions, and feedback on them, each checked as the
    user sees it."""
    with running_bot() as bot:
        _converse(bot, responses)
        yield bot


def _converse(bot: Bot, responses: dict[str, str]) -> None:
    # An answer, rated with its button.
    sender = new_sender()
    answer = bot.send(sender, "can fosamax make my hair fall out")[-1]
    assert "Source:" in answer["text"]
    assert [b["payload"] for b in answer["buttons"]][-2:] == FEEDBACK_PAYLOADS
    assert texts(bot.send(sender, "/feedback_helpful")) == responses["utter_feedback_thanks"]
    # Plain thanks stay thanks.
    assert texts(bot.send(sender, "thanks")) == responses["utter_you_are_welcome"]

    # A partial answer, rated as typed.
    sender = new_sender()
    assert "doesn't say anything about" in texts(bot.send(sender, PARTIAL))
    sorry = texts(bot.send(sender, "that didn't help"))
    assert sorry == responses["utter_feedback_sorry"]
    assert "doctor" in sorry

    # Declined, twice in similar words, and off-topic (told what the bot covers).
    for question in DECLINED[:2]:
        assert responses["utter_decline"] in texts(bot.send(new_sender(), question))
    off_topic = responses["utter_off_topic"].split("{")[0]
    assert texts(bot.send(new_sender(), DECLINED[2])).startswith(off_topic)

    # Feedback with nothing before it.
    reply = texts(bot.send(new_sender(), "/feedback_not_helpful"))
    assert reply == responses["utter_feedback_nothing_yet"]


@pytest.fixture(scope="module")
def report_files(conversations: Bot, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    done = make_report(out, {"TRACKER_SQLITE_DB": str(conversations.sqlite_path)})
    assert done.returncode == 0, done.stderr
    assert f"wrote {out / 'report.html'}" in done.stdout
    return out


def test_the_csv_lists_declined_questions_grouped_and_partial_answers(report_files: Path) -> None:
    table = rows(report_files / "report.csv")
    declined = {r["question"].lower(): r for r in table if r["kind"] == "declined"}

    minoxidil = declined[DECLINED[0].lower()]
    assert minoxidil["count"] == "2"
    assert minoxidil["similar wordings"] == DECLINED[1]
    assert minoxidil["conversations"] == "2"
    assert minoxidil["reasons"]
    assert declined[DECLINED[2].lower()]["count"] == "1"
    assert declined[DECLINED[2].lower()]["reasons"].startswith("off_topic")
    assert any(r["kind"] == "partial" and PARTIAL in r["question"] for r in table)


def test_the_page_renders_in_chromium_with_its_chart_and_the_declined_questions(
    report_files: Path,
) -> None:
    assert CHROMIUM.exists(), "Chromium is missing: `make test` installs it"
    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.on(
                "request",
                lambda r: None if r.url.startswith("file:") else outside.append(r.url),
            )
            page.goto((report_files / "report.html").as_uri())

            expect(page.locator("h1")).to_have_text("Unanswered questions and feedback")
            chart = page.locator("#answers-chart")
            expect(chart).to_be_visible()
            assert chart.bounding_box()["height"] > 100  # type: ignore[index]
            assert page.locator("#answers-chart rect").count() >= 2  # a bar and its key
            declined = page.locator('table[data-kind="declined"]')
            expect(declined).to_be_visible()
            for question in DECLINED:
                expect(declined).to_contain_text(question)
            helpfulness = page.locator("#helpfulness")
            expect(helpfulness).to_contain_text("Fosamax")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()
    assert outside == []  # nothing is fetched from anywhere


def test_the_report_reads_a_postgres_tracker_store(
    database: str,  # noqa: F811  (a database of its own, dropped afterwards)
    tmp_path: Path,
) -> None:
    env = {"TRACKER_STORE": "postgres", "POSTGRES_DB": database}
    question = "does minoxidil work?"
    with running_bot(env=env) as bot:
        bot.send(new_sender(), question)
        bot.send(new_sender(), "how much calcium do I need?")
        done = make_report(tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert f"PostgreSQL database &#x27;{database}&#x27;" in (tmp_path / "report.html").read_text(
        "utf-8"
    )
    table = rows(tmp_path / "report.csv")
    assert [(r["kind"], r["question"]) for r in table] == [("declined", question)]


def test_a_postgres_database_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    done = make_report(tmp_path, {"TRACKER_STORE": "postgres", "POSTGRES_DB": "osteo_no_such"})
    assert done.returncode != 0
    assert "error: cannot read PostgreSQL database 'osteo_no_such'" in done.stderr
