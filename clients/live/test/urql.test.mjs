// urql with a real Graphcache (and the plain document cache) over an exchange the test
// drives: the cached list after each event, resume variables, RESUME_EXPIRED's refetch.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Client, gql, makeResult, makeErrorResult } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { liveQuery, liveSubscription, liveUpdates } from "@drf-graphql-live/client/urql";
import { filter, fromValue, makeSubject, merge, mergeMap, pipe, share, takeUntil } from "wonka";

const TASKS = gql`
  query Tasks($status: String) {
    tasks(status: $status, ordering: "id") {
      count
      results { id title }
      next
      previous
    }
  }
`;
const TASKS_CHANGED = gql`
  subscription TasksChanged($status: String, $initial: Boolean, $after: String) {
    tasksChanged(status: $status, initial: $initial, after: $after) {
      kind id cursor node { id title }
    }
  }
`;

const row = (id, title = `t${id}`) => ({ __typename: "Task", id, title });
const page = (results) => ({ __typename: "TaskPage", count: results.length, results, next: null, previous: null });
const event = (kind, node, cursor, id = node?.id) => ({
  tasksChanged: { __typename: "TaskEvent", kind, id: String(id), cursor, node },
});

/** An exchange answering queries from `server.rows`; each subscription a subject. */
function fakeServer(rows) {
  const server = { rows, queries: 0, subscriptions: [] };
  server.exchange = () => (operations$) => {
    const shared = pipe(operations$, share);
    const teardowns = pipe(shared, filter((op) => op.kind === "teardown"));
    return pipe(
      shared,
      filter((op) => op.kind !== "teardown"),
      mergeMap((operation) => {
        const ended = pipe(teardowns, filter((op) => op.key === operation.key));
        if (operation.kind === "subscription") {
          const subject = makeSubject();
          const entry = { variables: JSON.parse(JSON.stringify(operation.variables)), // as sent
             operation, subject, open: true };
          server.subscriptions.push(entry);
          return pipe(
            merge([subject.source]),
            takeUntil(pipe(ended, mergeMap((op) => ((entry.open = false), fromValue(op))))),
          );
        }
        server.queries++;
        return fromValue(makeResult(operation, { data: { tasks: page(structuredClone(server.rows)) } }));
      }),
    );
  };
  server.push = (data) => {
    const { subject, operation } = server.subscriptions.at(-1);
    subject.next(makeResult(operation, { data }));
  };
  server.fail = (errors) => {
    const { subject, operation } = server.subscriptions.at(-1);
    subject.next(makeResult(operation, { errors }));
  };
  server.drop = () => {
    const { subject, operation } = server.subscriptions.at(-1);
    subject.next(makeErrorResult(operation, new Error("socket closed")));
  };
  return server;
}

const ids = (data) => data.tasks.results.map((r) => r.id);
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const noWait = () => Promise.resolve();

function graphcacheClient(server) {
  return new Client({
    url: "http://test/graphql/",
    exchanges: [
      cacheExchange({
        keys: { TaskPage: () => null, TaskEvent: () => null },
        updates: { Subscription: liveUpdates({ tasksChanged: TASKS }) },
      }),
      server.exchange,
    ],
  });
}

describe("liveUpdates + liveSubscription (Graphcache)", () => {
  test("ADDED, MODIFIED, REMOVED in the cached list; resume after an error", async () => {
    const server = fakeServer([row(1), row(3)]);
    const client = graphcacheClient(server);
    const variables = { status: "todo" };
    const live = liveSubscription(client, {
      subscription: TASKS_CHANGED, query: TASKS, variables, retryWait: noWait,
    });
    await live.ready;
    assert.deepEqual(server.subscriptions[0].variables, { status: "todo", initial: true });
    const read = () => client.readQuery(TASKS, variables).data;

    server.push(event("ADDED", row(2), "c1"));
    assert.deepEqual(ids(read()), [1, 2, 3]);
    assert.equal(read().tasks.count, 3);
    server.push(event("MODIFIED", row(3, "renamed"), "c2"));
    assert.equal(read().tasks.results[2].title, "renamed");
    server.push(event("REMOVED", null, "c3", 1));
    assert.deepEqual(ids(read()), [2, 3]);
    assert.equal(read().tasks.count, 2);

    server.drop();
    await tick();
    assert.deepEqual(server.subscriptions.at(-1).variables, { status: "todo", after: "c3" });
    live.stop();
    await tick();
    assert.equal(server.subscriptions.at(-1).open, false);
  });

  test("RESUME_EXPIRED refetches the list network-only, then initial: true", async () => {
    const server = fakeServer([row(1), row(2)]);
    const client = graphcacheClient(server);
    const variables = { status: "todo" };
    const live = liveSubscription(client, {
      subscription: TASKS_CHANGED, query: TASKS, variables, cursor: "old",
    });
    await live.ready;
    server.rows = [row(2)];
    server.fail([{ message: "expired", extensions: { code: "RESUME_EXPIRED" } }]);
    await tick();
    assert.deepEqual(ids(client.readQuery(TASKS, variables).data), [2]);
    assert.deepEqual(server.subscriptions.at(-1).variables, { status: "todo", initial: true });
    live.stop();
  });
});

describe("liveQuery (plain @urql/core)", () => {
  test("hands out the query's data with every event applied", async () => {
    const server = fakeServer([row(1)]);
    const client = new Client({ url: "http://test/graphql/", exchanges: [server.exchange] });
    const seen = [];
    const live = liveQuery(client, {
      query: TASKS, subscription: TASKS_CHANGED, variables: { status: "todo" },
      onData: (data) => seen.push(ids(data)),
    });
    await live.ready;
    server.push(event("ADDED", row(0), "c1"));
    server.push(event("REMOVED", null, "c2", 1));
    assert.deepEqual(seen, [[1], [0, 1], [0]]);
    assert.equal(live.data.tasks.count, 1);
    assert.equal(live.cursor, "c2");
    live.stop();
  });
});
