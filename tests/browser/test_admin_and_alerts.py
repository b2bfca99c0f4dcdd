"""In a real browser: an admin acknowledges an alert on the dashboard, and manages tokens and users
on /admin/users (the token shown once, then revoked; a user added, then disabled)."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from browser.conftest import USER, Installation


def _raise_alert(installation: Installation) -> int:
    engine = create_engine(installation.env["EROS_DB_URL"])
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO alerts (code, severity, message, episode_key, raised_at) "
                "VALUES ('V5_LATENCY_HIGH', 'WARNING', 'p95 above 120 s', 'browser-ack', "
                "'2026-12-01T11:00:00Z')"
            )
        )
        alert_id = conn.execute(text("SELECT max(id) FROM alerts")).scalar_one()
    engine.dispose()
    return int(alert_id)


def test_acknowledge_an_alert_on_the_dashboard(page: Page, installation: Installation) -> None:
    alert_id = _raise_alert(installation)
    page.goto("/dashboard")
    button = page.locator(f'button.alert-ack[data-alert-id="{alert_id}"]')
    expect(button).to_have_text("Acknowledge")
    button.click()
    expect(button).to_have_count(0)
    row = page.locator("tr", has_text="p95 above 120 s")
    expect(row).to_contain_text(f"{USER} · 2026-12-01T12:00:00Z")
    page.screenshot(path=installation.artifacts / "dashboard-acknowledged.png", full_page=True)
    listed = installation.eros("alerts", "list", "--json")
    assert f'"acknowledged_by": "{USER}"' in listed.stdout


def test_an_admin_creates_and_revokes_a_token_and_adds_and_disables_a_user(
    page: Page, installation: Installation
) -> None:
    page.goto("/admin/users")
    expect(page.locator("h1")).to_contain_text("Users and tokens")
    page.fill("#token-name", "browser-ci")
    page.select_option("#token-role", "viewer")
    page.click("#token-form button[type=submit]")
    expect(page.locator("#token-shown")).to_be_visible()
    token = page.locator("#token-value").text_content() or ""
    assert token.startswith("eros_")
    page.screenshot(path=installation.artifacts / "admin-users.png")

    page.reload()
    assert token not in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click('[data-token-revoke="browser-ci"]')
    expect(page.locator("tr", has_text="browser-ci")).to_contain_text("revoked")

    page.fill("#user-name", "wendy")
    page.select_option("#user-role", "scheduler")
    page.fill("#user-password", "wendy's long password")
    page.click("#user-form button[type=submit]")
    expect(page.locator('[data-user-disable="wendy"]')).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click('[data-user-disable="wendy"]')
    expect(page.locator('[data-user-enable="wendy"]')).to_be_visible()
    audit = installation.eros("users", "list")
    assert "wendy" in audit.stdout
