"""What the week editor and the roster page stand on: the captions a send may take (the caption
tools' choice), a caption edit judged and saved like any other edit, the roster in a fixed number
of database reads, and the CSP the pages' vendored libraries need."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from tests.web.conftest import bearer, login

from eros.access import Role
from eros.bootstrap import Container
from eros.web.security import CONTENT_SECURITY_POLICY

WEEK = "2026-01-05"
AVOID = "anal"  # ranked AVOID for alexia in the sample (and in her vault)
#: Database statements the roster page issues, whatever the number of creators: the session's
#: user, then a count and a page of the creators and of the week's schedules. A profile call per
#: creator (how the page found tiers before) made it several per creator.
ROSTER_STATEMENTS = 5


@pytest.fixture
def viewer(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.VIEWER])


@pytest.fixture
def scheduler(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.SCHEDULER])


def captions(client: TestClient, headers: dict[str, str], **query: str) -> Any:
    return client.get("/api/v1/creators/alexia/captions", params=query, headers=headers)


def test_caption_choices_come_from_the_caption_tools_and_never_from_avoid(
    client: TestClient, container: Container, viewer: dict[str, str]
) -> None:
    with container.uow() as uow:
        vault = set(uow.content.vault_type_names("alexia"))
        avoid = set(uow.content.avoid_types("alexia"))
    assert AVOID in vault and AVOID in avoid
    usable = sorted(vault - avoid)

    media = captions(client, viewer, send_type="ppv_unlock", content_type=usable[0]).json()
    assert media["captions"], media
    assert {c["content_type"] for c in media["captions"]} == {usable[0]}

    plain = captions(client, viewer, send_type="dm_farm").json()["captions"]
    assert plain and {c["send_type"] for c in plain} == {"dm_farm"}
    assert (
        len(plain) == 20
        and len(captions(client, viewer, send_type="dm_farm", limit="19").json()["captions"]) == 19
    )

    refused = captions(client, viewer, send_type="ppv_unlock", content_type=AVOID).json()
    assert refused["captions"] == [] and refused["excluded_types"] == {AVOID: "ranked AVOID"}

    unknown = captions(client, viewer, send_type="no_such_send")
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "SEND_TYPE_NOT_FOUND"
    assert captions(client, viewer, send_type="dm_farm", limit="21").status_code == 422
    assert captions(client, {}, send_type="dm_farm").status_code == 401


def test_a_caption_edit_is_judged_and_saved_like_any_edit(
    client: TestClient, scheduler: dict[str, str], viewer: dict[str, str]
) -> None:
    made = client.post(
        "/api/v1/schedules/generate", json={"creator": "alexia", "week_start": WEEK}, headers=scheduler
    )
    assert made.status_code == 200, made.text
    schedule_id = made.json()["schedule_id"]
    week = client.get(f"/api/v1/schedules/{schedule_id}", headers=viewer).json()
    items = week["items"]
    index = next(i for i, item in enumerate(items) if item.get("caption_id") and not item.get("content_type"))
    item = items[index]
    used = {i.get("caption_id") for i in items}
    offered = captions(client, viewer, send_type=item["send_type_key"]).json()["captions"]
    other = next(c for c in offered if c["caption_id"] not in used)

    def judge(edited: list[dict[str, Any]]) -> Any:
        answer = client.post(
            "/api/v1/schedules/validate",
            json={"creator": "alexia", "week_start": WEEK, "items": edited},
            headers=scheduler,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def on_item(verdict: Any) -> list[str]:
        return [v["message"] for v in verdict["violations"] if index in (v.get("items") or [])]

    def unknown_freshness(verdict: Any) -> int:
        """How many captions the scorer could not find in the creator's caption pool."""
        reasons = next(c for c in verdict["components"] if c["name"] == "caption_quality")["reasons"]
        found = [re.match(r"(\d+) captions are not in the creator's caption pool", r) for r in reasons]
        return next((int(m.group(1)) for m in found if m), 0)

    # a caption from the allowed list: judged clean and saved as a new revision with that caption
    chosen = copy.deepcopy(items)
    chosen[index] |= {"caption_id": other["caption_id"], "caption_text": other["caption_text"]}
    clean = judge(chosen)
    assert on_item(clean) == []
    saved = client.post(
        f"/api/v1/schedules/{schedule_id}/edit",
        json={"items": chosen, "expected_revision": 1},
        headers=scheduler,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == 2
    stored = client.get(f"/api/v1/schedules/{schedule_id}", headers=viewer).json()["items"][index]
    assert (stored["caption_id"], stored["caption_text"]) == (other["caption_id"], other["caption_text"])

    # a caption id the bank does not hold is a violation on that item
    missing = copy.deepcopy(chosen)
    missing[index]["caption_id"] = 999_999
    assert on_item(judge(missing)) == [f"Item {index}: caption 999999 does not exist."]

    # caption text typed in, no id: the rule engine cannot know its freshness, and says so
    typed = copy.deepcopy(chosen)
    del typed[index]["caption_id"]
    typed[index]["caption_text"] = "a caption nobody wrote for the bank"
    verdict = judge(typed)
    assert on_item(verdict) == []
    assert unknown_freshness(verdict) == unknown_freshness(clean) + 1


@contextmanager
def counted(container: Container) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(container.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(container.engine, "before_cursor_execute", record)


def test_the_roster_page_is_the_roster_answer_in_a_fixed_number_of_reads(
    client: TestClient, container: Container, viewer: dict[str, str]
) -> None:
    answer = client.get("/api/v1/creators", headers=viewer).json()
    assert answer["count"] == 37
    assert all(row["tier"] and row["page_type"] in {"paid", "free"} for row in answer["creators"])
    login(client, Role.VIEWER.value)
    with counted(container) as statements:
        page = client.get("/")
    assert page.status_code == 200
    assert len(statements) == ROSTER_STATEMENTS, statements
    shown = dict(
        re.findall(
            r'<tr data-creator="([^"]+)">.*?data-cell="tier"><span class="tag[^>]*>([^<]+)<', page.text, re.S
        )
    )
    assert shown == {row["creator_id"]: row["tier"] for row in answer["creators"]}


def test_the_csp_lets_fonts_be_data_urls_and_nothing_inline_run(client: TestClient) -> None:
    policy = client.get("/login").headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["font-src"] == "'self' data:"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
