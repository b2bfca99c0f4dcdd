"""The issue's walk-through in a real browser: log in, drag a send on alexia's week, see it
re-validated, save it (a new revision and a user signal in the database), roll v5 back from the
dashboard (`eros route alexia` answers v4 in another process), restore it with the phrase."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text

from browser.conftest import USER, Console, Installation, open_page

WEEK = "/creators/alexia/week/"
RESTORE_PHRASE = "RESTORE_V5_CONFIRMED"


def shot(page: Page, installation: Installation, name: str) -> None:
    page.screenshot(path=installation.artifacts / f"{name}.png")


def route(installation: Installation) -> str:
    done = installation.eros("route", "alexia")
    assert done.returncode == 0, done.stderr
    return done.stdout


#: Every page at 1366×768 (the artifacts hold one screenshot each): name, path, heading.
PAGES = (
    ("roster", "/", "Roster"),
    ("profile", "/creators/alexia", "Alexia"),
    ("dashboard-before", "/dashboard", "Status"),
    ("rollout", "/rollout", "Rollout"),
    ("shadow", "/shadow", "Shadow comparisons"),
    ("learnings", "/learnings", "Learnings"),
)


def test_every_page_renders(page: Page, installation: Installation) -> None:
    for name, path, heading in PAGES:
        page.goto(path)
        expect(page.locator("h1")).to_contain_text(heading)
        shot(page, installation, name)


def test_the_login_page_and_a_wrong_password(
    browser: Browser, installation: Installation, console: Console
) -> None:
    context, page = open_page(browser, installation, console)
    page.goto("/login")
    shot(page, installation, "login")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_be_visible()
    shot(page, installation, "login-refused")
    context.close()
    assert console.unexpected() == []


def test_a_viewer_sees_no_edit_save_or_rollback_controls(
    viewer_page: Page, installation: Installation
) -> None:
    page = viewer_page
    expect(page.locator(".topbar .role")).to_have_text("viewer")
    expect(page.locator("[data-generate-all], [data-generate]")).to_have_count(0)

    page.goto("/creators/alexia/week")
    expect(page.locator(".fc-event").first).to_be_visible()
    for control in ("#save", "#revert", "#add-item", "#queue", "#complete", "[data-restore]"):
        expect(page.locator(control)).to_have_count(0)
    expect(page.locator("#calendar")).to_have_attribute("data-editable", "false")
    expect(page.locator(".fc-event-draggable")).to_have_count(0)
    page.locator(".fc-event").first.click()
    detail = page.locator("#detail")
    expect(detail).to_contain_text("Expected revenue")
    expect(detail.locator("select, input, button")).to_have_count(0)
    expect(page.locator("#validation")).to_have_count(0)
    shot(page, installation, "week-viewer")

    page.goto("/dashboard")
    expect(page.locator("#rollback-button, #restore-button, #rollback-reason")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Rollback and restore need the operator role.")
    page.goto("/rollout")
    expect(page.locator("[data-rollout]")).to_have_count(0)
    page.goto("/learnings")
    expect(page.locator("#accept-proposals, [data-reject]")).to_have_count(0)


def test_drag_validate_save_then_roll_back_and_restore(
    page: Page, installation: Installation, console: Console
) -> None:
    page.goto("/creators/alexia/week")
    expect(page.locator(".tz")).to_contain_text("America/New_York")
    expect(page.locator("#validation")).to_contain_text("Valid", timeout=20_000)
    shot(page, installation, "week")

    event = page.locator(".fc-event", has_text="Dm Farm").first
    event.click()
    expect(page.locator("#detail")).to_contain_text("dm_farm")
    before = page.locator("#detail dd").first.inner_text()
    box = event.bounding_box()
    assert box is not None
    day = before.split()[0]
    column = page.locator(f'td.fc-timegrid-col[data-date="{day}"]').bounding_box()
    slot = page.locator('td.fc-timegrid-slot-lane[data-time="09:00:00"]').bounding_box()
    assert column is not None and slot is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 4)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 24, steps=5)
    page.mouse.move(column["x"] + column["width"] / 2, slot["y"] + 12, steps=15)
    page.mouse.up()

    after = page.locator("#detail dd").first
    expect(after).to_contain_text(f"{day} 09:")
    expect(page.locator("#validation")).not_to_have_text("Checking rules…", timeout=20_000)
    shot(page, installation, "week-dragged")
    expect(page.locator("#validation")).to_contain_text("Valid ·")
    expect(page.locator("#save")).to_be_enabled()
    page.click("#save")
    expect(page.locator("#week-revision")).to_have_text("2", timeout=20_000)
    shot(page, installation, "week-saved")

    history = installation.eros("schedules", "revisions", "1", "--json")
    assert history.returncode == 0, history.stderr
    current = [rev for rev in json.loads(history.stdout)["revisions"] if rev["current"]]
    assert [(rev["revision"], rev["saved_by_kind"], rev["saved_by"]) for rev in current] == [
        (2, "person", "olivia")
    ]
    engine = create_engine(installation.env["EROS_DB_URL"])
    captured = installation.eros("reflect", "--json")
    assert captured.returncode == 0, captured.stderr
    with engine.connect() as conn:
        signal = conn.execute(
            text(
                "SELECT payload_json FROM learning_signals WHERE source = 'user' AND code = 'USER_CORRECTION'"
            )
        ).one()
    assert 9 in json.loads(signal.payload_json)["added_hours"]

    assert "alexia → v5" in route(installation)
    page.goto("/dashboard")
    shot(page, installation, "dashboard")
    page.fill("#rollback-reason", "browser test: v5 week looks wrong")
    page.check("#rollback-confirm")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#rollback-button")
    expect(page.locator("#rollback-state")).not_to_have_text("active", timeout=20_000)
    assert "alexia → v4" in route(installation)
    shot(page, installation, "dashboard-rolled-back")

    console.expect(r"status of 422 .*/api/v1/rollback/restore")  # the wrong phrase, refused
    page.fill("#restore-phrase", RESTORE_PHRASE.lower())
    page.click("#restore-button")
    expect(page.locator("#toast")).to_be_visible()
    assert "alexia → v4" in route(installation)
    page.fill("#restore-phrase", RESTORE_PHRASE)
    page.click("#restore-button")
    expect(page.locator("#rollback-state")).to_have_text("active", timeout=20_000)
    assert "alexia → v5" in route(installation)
    shot(page, installation, "dashboard-restored")
