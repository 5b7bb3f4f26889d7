"""The demo served by uvicorn and by daphne: queries, mutations, GraphiQL, over real TCP."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.parametrize("server", ["uvicorn", "daphne"])


def test_query_and_mutation_over_a_real_server(site, server):
    headers = {"Authorization": f"Token {site.tokens['bob']}"}
    with site.server(server) as url:
        listed = httpx.post(
            f"{url}/graphql/",
            json={"query": '{ tasks(status: "todo") { count results { id title } } }'},
            headers=headers,
        ).json()
        rest = httpx.get(f"{url}/api/tasks/?status=todo", headers=headers).json()
        assert listed["data"]["tasks"]["count"] == rest["count"] > 0
        assert [t["id"] for t in listed["data"]["tasks"]["results"]] == [
            t["id"] for t in rest["results"]
        ]

        project = rest["results"][0]["project"]
        created = httpx.post(
            f"{url}/graphql/",
            json={
                "query": "mutation($input: TaskInput!) { createTask(input: $input) { id title status } }",
                "variables": {"input": {"project": project, "title": f"from {server}"}},
            },
            headers=headers,
        ).json()
        assert created["data"]["createTask"]["status"] == "TODO"
        task_id = created["data"]["createTask"]["id"]
        assert (
            httpx.get(f"{url}/api/tasks/{task_id}/", headers=headers).json()["title"]
            == f"from {server}"
        )


def test_graphiql_page_is_served(site, server):
    with site.server(server) as url:
        page = httpx.get(f"{url}/graphql/", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert "GraphiQL" in page.text
