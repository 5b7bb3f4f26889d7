"""The live board page (/board/) in two headless Chromium contexts, alice and bob.

A change made in one browser, by a GraphQL mutation, by a REST call or by the ORM in
another process appears on the other page within a second; a task bob may not see
(alice's private project) never reaches his page, not even for a moment.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from .support import orm, screenshot, visible_task_ids

pytest.importorskip("playwright", reason="NEEDS PLAYWRIGHT: pip install -e '.[dev]'")
from playwright.sync_api import expect

#: How soon a change must show on the other page, in milliseconds.
LIVE_MS = 1000
SHARED = "Website relaunch"  # alice and bob
PRIVATE = "Alice's errands"  # alice only

# Records every task row ever inserted into the page, so "never appears" also covers a
# row that was added and removed again between two checks.
RECORD_ROWS = """
window.__seenTaskIds = new Set();
new MutationObserver((records) => {
  for (const record of records)
    for (const node of record.addedNodes)
      if (node.nodeType === 1 && node.matches("tr[data-task-id]"))
        window.__seenTaskIds.add(node.dataset.taskId);
}).observe(document, { childList: true, subtree: true });
"""


def open_board(new_page: Any, username: str, expected_rows: int) -> Any:
    page = new_page(username)
    page.context.add_init_script(RECORD_ROWS)
    page.reload()  # the recorder runs from the first row on
    expect(page.locator("#viewer")).to_have_text(username)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=15_000)
    expect(page.locator("#tasks tbody tr")).to_have_count(expected_rows, timeout=15_000)
    return page


def row(page: Any, task_id: int | str) -> Any:
    return page.locator(f'#tasks tbody tr[data-task-id="{task_id}"]')


def row_titled(page: Any, title: str) -> Any:
    return page.locator("#tasks tbody tr", has=page.locator("td.title", has_text=title))


def seen_ids(page: Any) -> set[str]:
    return set(page.evaluate("[...window.__seenTaskIds]"))


@pytest.fixture
def boards(live_site: Any, new_page: Any) -> tuple[Any, Any]:
    alice = open_board(new_page, "alice", len(visible_task_ids(live_site, "alice")))
    bob = open_board(new_page, "bob", len(visible_task_ids(live_site, "bob")))
    return alice, bob


def graphql(base_url: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        base_url + "/graphql/",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Token {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_each_user_sees_their_own_tasks(live_site, boards):
    alice, bob = boards
    alice_ids = {str(i) for i in visible_task_ids(live_site, "alice")}
    bob_ids = {str(i) for i in visible_task_ids(live_site, "bob")}
    assert bob_ids < alice_ids  # alice also has her private project

    for page, ids in ((alice, alice_ids), (bob, bob_ids)):
        rows = page.locator("#tasks tbody tr")
        assert {rows.nth(i).get_attribute("data-task-id") for i in range(rows.count())} == ids
    expect(bob.locator("td.project", has_text=PRIVATE)).to_have_count(0)
    expect(alice.locator("td.project", has_text=PRIVATE)).to_have_count(3)

    design = row(
        alice, orm(live_site, "print(Task.objects.get(title='Design the landing page').pk)")
    )
    expect(design.locator("td.title")).to_have_text("Design the landing page")
    expect(design.locator("td.assignee")).to_have_text("alice")
    expect(design).to_have_attribute("data-status", "IN_PROGRESS")
    expect(design.locator("td.status select")).to_have_value("IN_PROGRESS")
    screenshot(alice, "board-alice.png")
    screenshot(bob, "board-bob.png")
    assert alice.errors == []
    assert bob.errors == []


def test_change_made_in_one_browser_appears_in_the_other(boards):
    alice, bob = boards
    title = f"Added from alice's page {uuid.uuid4().hex[:6]}"

    # alice adds a task through the page's form (createTask over HTTP, her session).
    alice.fill('#new-task input[name="title"]', title)
    alice.select_option('#new-task select[name="project"]', label=SHARED)
    alice.click("#new-task button[type=submit]")
    expect(row_titled(bob, title)).to_have_count(1, timeout=LIVE_MS)
    task_id = row_titled(bob, title).get_attribute("data-task-id")
    expect(row(alice, task_id).locator("td.project")).to_have_text(SHARED)
    expect(row(bob, task_id)).to_have_attribute("data-status", "TODO")

    # bob moves it to "Done" with the row's status menu.
    row(bob, task_id).locator("td.status select").select_option("DONE")
    expect(row(alice, task_id)).to_have_attribute("data-status", "DONE", timeout=LIVE_MS)
    expect(row(alice, task_id).locator("td.status select")).to_have_value("DONE")
    screenshot(bob, "board-bob-after-alice-added.png")

    # alice deletes it (unassigned: any member may).
    row(alice, task_id).locator("button.delete").click()
    expect(row(bob, task_id)).to_have_count(0, timeout=LIVE_MS)
    expect(row(alice, task_id)).to_have_count(0, timeout=LIVE_MS)
    assert alice.locator("#error").inner_text() == bob.locator("#error").inner_text() == ""
    assert alice.errors == []
    assert bob.errors == []


def test_mutation_rest_call_and_orm_process_reach_both_pages(live_site, base_url, boards):
    alice, bob = boards
    run = uuid.uuid4().hex[:6]
    task_id = orm(live_site, "print(Task.objects.get(title='Write API documentation').pk)")

    # A GraphQL mutation over HTTP (bob's token).
    renamed = f"Renamed by a mutation {run}"
    graphql(
        base_url,
        live_site.tokens["bob"],
        "mutation($id: ID!, $title: String!) { updateTask(id: $id, input: {title: $title}) { id } }",
        id=task_id,
        title=renamed,
    )
    for page in (alice, bob):
        expect(row(page, task_id).locator("td.title")).to_have_text(renamed, timeout=LIVE_MS)

    # A REST call (alice's token).
    response = httpx.patch(
        f"{base_url}/api/tasks/{task_id}/",
        json={"status": "in_progress"},
        headers={"Authorization": f"Token {live_site.tokens['alice']}"},
    )
    assert response.status_code == 200, response.text
    for page in (alice, bob):
        expect(row(page, task_id)).to_have_attribute("data-status", "IN_PROGRESS", timeout=LIVE_MS)

    # The ORM in another process (it has committed when the process exits).
    by_orm = f"Renamed by the ORM {run}"
    orm(live_site, f"t = Task.objects.get(pk={task_id}); t.title = {by_orm!r}; t.save()")
    started = time.monotonic()
    for page in (alice, bob):
        expect(row(page, task_id).locator("td.title")).to_have_text(by_orm, timeout=LIVE_MS)
    assert time.monotonic() - started < LIVE_MS / 1000

    created = orm(
        live_site,
        f"p = Project.objects.get(name={SHARED!r})\n"
        f"print(Task.objects.create(project=p, title='Created by the ORM {run}').pk)",
    )
    for page in (alice, bob):
        expect(row(page, created).locator("td.title")).to_have_text(
            f"Created by the ORM {run}", timeout=LIVE_MS
        )
    screenshot(alice, "board-alice-after-orm.png")
    orm(live_site, f"Task.objects.get(pk={created}).delete()")
    for page in (alice, bob):
        expect(row(page, created)).to_have_count(0, timeout=LIVE_MS)
    assert alice.errors == []
    assert bob.errors == []


def test_a_task_bob_may_not_see_never_reaches_his_page(live_site, base_url, boards):
    alice, bob = boards
    run = uuid.uuid4().hex[:6]
    secret = f"Private errand {run}"

    # alice creates it on her page, in her private project.
    alice.fill('#new-task input[name="title"]', secret)
    alice.select_option('#new-task select[name="project"]', label=PRIVATE)
    alice.click("#new-task button[type=submit]")
    expect(row_titled(alice, secret)).to_have_count(1, timeout=LIVE_MS)
    private_id = row_titled(alice, secret).get_attribute("data-task-id")

    # ... then edits and deletes it from another process.
    orm(live_site, f"t = Task.objects.get(pk={private_id}); t.status = 'done'; t.save()")
    expect(row(alice, private_id)).to_have_attribute("data-status", "DONE", timeout=LIVE_MS)
    orm(live_site, f"Task.objects.get(pk={private_id}).delete()")
    expect(row(alice, private_id)).to_have_count(0, timeout=LIVE_MS)

    # A change bob may see, made after all of that, reaches him: by then any event about
    # the private task would have arrived too (one server, one socket, in order).
    shared_id = orm(live_site, "print(Task.objects.get(title='Choose analytics provider').pk)")
    sentinel = f"Seen by bob {run}"
    graphql(
        base_url,
        live_site.tokens["alice"],
        "mutation($id: ID!, $title: String!) { updateTask(id: $id, input: {title: $title}) { id } }",
        id=shared_id,
        title=sentinel,
    )
    expect(row(bob, shared_id).locator("td.title")).to_have_text(sentinel, timeout=LIVE_MS)
    assert private_id in seen_ids(alice)
    assert private_id not in seen_ids(bob)
    expect(bob.get_by_text(secret)).to_have_count(0)
    screenshot(bob, "board-bob-private-never-shown.png")
    assert alice.errors == []
    assert bob.errors == []
