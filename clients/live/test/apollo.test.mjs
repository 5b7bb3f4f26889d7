// Apollo Client 4 with a real InMemoryCache over a link the test drives: the cached list
// after each event, the normalized entity, resume variables, RESUME_EXPIRED's refetch,
// and the React hook.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ApolloClient, ApolloLink, InMemoryCache, gql } from "@apollo/client";
import { ApolloProvider } from "@apollo/client/react";
import { getMainDefinition } from "@apollo/client/utilities";
import { liveList, liveUpdateQuery } from "@drf-graphql-live/client/apollo";
import { useLiveList } from "@drf-graphql-live/client/react";
import { createElement } from "react";
import TestRenderer from "react-test-renderer";
import { Observable, Subject } from "rxjs";

const TASKS = gql`
  query Tasks($status: String) {
    tasks(status: $status, ordering: "-priority,id", limit: 500) {
      count
      results { id title priority description }
      next
      previous
    }
  }
`;
const OTHER = gql`
  query Task($id: ID!) { task(id: $id) { id title } }
`;
const TASKS_CHANGED = gql`
  subscription TasksChanged($status: String, $initial: Boolean, $after: String) {
    tasksChanged(status: $status, initial: $initial, after: $after) {
      kind id cursor
      node { id title priority description }
    }
  }
`;

const row = (id, priority = 1, title = `t${id}`) => ({
  __typename: "Task", id, title, priority, description: "",
});
const page = (results) => ({
  __typename: "TaskPage", count: results.length, results, next: null, previous: null,
});
const event = (kind, node, cursor, id = node?.id) => ({
  data: {
    tasksChanged: { __typename: "TaskEvent", kind, id: String(id), cursor, node },
  },
});

/** A link answering queries from `server.rows` and keeping each subscription's Subject. */
function fakeServer(rows) {
  const server = { rows, queries: 0, subscriptions: [] };
  server.link = new ApolloLink((operation) => {
    const definition = getMainDefinition(operation.query);
    if (definition.operation === "subscription") {
      const subject = new Subject();
      server.subscriptions.push({ variables: operation.variables, subject });
      return subject.asObservable();
    }
    server.queries++;
    const name = definition.name?.value;
    const data =
      name === "Task"
        ? { task: server.rows.find((r) => String(r.id) === operation.variables.id) }
        : { tasks: page(server.rows) };
    return new Observable((observer) => {
      observer.next({ data: structuredClone(data) });
      observer.complete();
    });
  });
  server.push = (result) => server.subscriptions.at(-1).subject.next(result);
  return server;
}

const client = (server) => new ApolloClient({ link: server.link, cache: new InMemoryCache() });
const cached = (c, variables = { status: "todo" }) =>
  c.readQuery({ query: TASKS, variables }).tasks;
const ids = (list) => list.results.map((r) => r.id);
const noWait = () => Promise.resolve();
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("liveList (Apollo)", () => {
  test("ADDED, MODIFIED, REMOVED in the cached page, ordered by the query's ordering", async () => {
    const server = fakeServer([row(1, 3), row(2, 1)]);
    const apollo = client(server);
    const live = liveList(apollo, { query: TASKS, subscription: TASKS_CHANGED, variables: { status: "todo" } });
    await live.ready;
    assert.deepEqual(server.subscriptions[0].variables, { status: "todo", initial: true });

    server.push(event("ADDED", row(3, 2), "c1"));
    assert.deepEqual(ids(cached(apollo)), [1, 3, 2]);
    assert.equal(cached(apollo).count, 3);

    server.push(event("MODIFIED", row(2, 9, "urgent"), "c2"));
    assert.deepEqual(ids(cached(apollo)), [2, 1, 3]);
    assert.equal(apollo.cache.extract()["Task:2"].title, "urgent"); // the normalized entity

    server.push(event("REMOVED", null, "c3", 1));
    assert.deepEqual(ids(cached(apollo)), [2, 3]);
    assert.equal(cached(apollo).count, 2);
    assert.ok(apollo.cache.extract()["Task:1"], "the entity stays: other lists may hold it");
    assert.equal(live.cursor, "c3");
    live.stop();
  });

  test("MODIFIED reaches every query showing the entity", async () => {
    const server = fakeServer([row(1)]);
    const apollo = client(server);
    await apollo.query({ query: OTHER, variables: { id: "1" } });
    const live = liveList(apollo, { query: TASKS, subscription: TASKS_CHANGED, variables: {} });
    await live.ready;
    server.push(event("MODIFIED", row(1, 1, "renamed"), "c1"));
    assert.equal(apollo.readQuery({ query: OTHER, variables: { id: "1" } }).task.title, "renamed");
    live.stop();
  });

  test("a network error resubscribes after: the last cursor; a remount resumes too", async () => {
    const server = fakeServer([row(1)]);
    const apollo = client(server);
    const options = { query: TASKS, subscription: TASKS_CHANGED, variables: { status: "todo" }, retryWait: noWait };
    const live = liveList(apollo, options);
    await live.ready;
    server.push(event("ADDED", row(2), "c1"));
    server.subscriptions[0].subject.error(new Error("socket closed"));
    await tick();
    assert.deepEqual(server.subscriptions[1].variables, { status: "todo", after: "c1" });
    live.stop();

    const again = liveList(apollo, options); // the same cache: the cursor is kept
    await again.ready;
    assert.deepEqual(server.subscriptions.at(-1).variables, { status: "todo", after: "c1" });
    again.stop();
  });

  test("RESUME_EXPIRED refetches the query, then subscribes with initial: true", async () => {
    const server = fakeServer([row(1), row(2)]);
    const apollo = client(server);
    const live = liveList(apollo, {
      query: TASKS, subscription: TASKS_CHANGED, variables: { status: "todo" }, cursor: "old",
    });
    await live.ready;
    assert.deepEqual(server.subscriptions[0].variables, { status: "todo", after: "old" });
    server.rows = [row(2)]; // task 1 went away meanwhile
    const queries = server.queries;
    server.push({ errors: [{ message: "expired", extensions: { code: "RESUME_EXPIRED" } }] });
    await tick();
    assert.equal(server.queries, queries + 1);
    assert.deepEqual(ids(cached(apollo)), [2]);
    assert.deepEqual(server.subscriptions[1].variables, { status: "todo", initial: true });
    live.stop();
  });

  test("liveUpdateQuery for subscribeToMore", async () => {
    const update = liveUpdateQuery({ ordering: "id" });
    const previous = { tasks: page([row(1), row(3)]) };
    const next = update(previous, { subscriptionData: event("ADDED", row(2), "c") });
    assert.deepEqual(ids(next.tasks), [1, 2, 3]);
  });
});

describe("useLiveList (React)", () => {
  test("renders the live list and stops its subscription on unmount", async () => {
    const server = fakeServer([row(1)]);
    const apollo = client(server);
    const seen = [];
    function Tasks() {
      const { data } = useLiveList(TASKS, {
        subscription: TASKS_CHANGED,
        variables: { status: "todo" },
      });
      seen.push(data ? ids(data.tasks) : null);
      return null;
    }
    let renderer;
    await TestRenderer.act(async () => {
      renderer = TestRenderer.create(createElement(ApolloProvider, { client: apollo }, createElement(Tasks)));
      await tick();
    });
    assert.deepEqual(seen.at(-1), [1]);
    assert.equal(server.subscriptions.length, 1);
    await TestRenderer.act(async () => {
      server.push(event("ADDED", row(2, 5), "c1"));
      await tick();
    });
    assert.deepEqual(seen.at(-1), [2, 1]);
    await TestRenderer.act(async () => renderer.unmount());
    assert.equal(server.subscriptions[0].subject.observed, false);
  });
});

describe("findWsClient", () => {
  test("finds the graphql-ws client under a GraphQLWsLink in a split link", async () => {
    const { GraphQLWsLink } = await import("@apollo/client/link/subscriptions");
    const { HttpLink, split } = await import("@apollo/client");
    const { findWsClient } = await import("@drf-graphql-live/client/apollo");
    const wsClient = { on: () => () => {}, subscribe: () => () => {}, dispose() {} };
    const link = split(() => true, new GraphQLWsLink(wsClient), new HttpLink({ uri: "/g" }));
    assert.equal(findWsClient(link), wsClient);
    assert.equal(findWsClient(new HttpLink({ uri: "/g" })), undefined);
  });
});
