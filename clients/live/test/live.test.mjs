// The resume driver against a fake transport: which variables each (re)subscription
// sends, what is ignored, what ends it.
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, test } from "node:test";

import { fromGraphQLWs, isResumeExpired, liveSubscription, sourceOf } from "@drf-graphql-live/client";
import { parse } from "graphql";

/** A transport whose subscriptions the test drives: `subs[i].sink`, `subs[i].variables`. */
function fakeTransport() {
  const subs = [];
  return {
    subs,
    subscribe(variables, sink) {
      const sub = { variables, sink, stopped: false };
      subs.push(sub);
      return () => {
        sub.stopped = true;
      };
    },
    get last() {
      return subs.at(-1);
    },
  };
}

const event = (kind, id, cursor) => ({
  data: { tasksChanged: { kind, id, cursor, node: kind === "REMOVED" ? null : { id } } },
});
const expired = { errors: [{ message: "gone", extensions: { code: "RESUME_EXPIRED" } }] };
const noWait = () => Promise.resolve();
const tick = () => new Promise((resolve) => setImmediate(resolve));

function start(transport, options = {}) {
  const events = [];
  const errors = [];
  const live = liveSubscription({
    subscribe: transport.subscribe,
    field: "tasksChanged",
    variables: { status: "todo" },
    onEvent: (e) => events.push(`${e.kind} ${e.id}`),
    onError: (e) => errors.push(e),
    retryWait: noWait,
    ...options,
  });
  return { live, events, errors };
}

describe("liveSubscription", () => {
  test("starts with initial: true, then resumes after: the last cursor on a transport error", async () => {
    const transport = fakeTransport();
    const { live, events } = start(transport);
    assert.deepEqual(transport.last.variables, { status: "todo", initial: true });
    transport.last.sink.next(event("ADDED", "1", "c1"));
    transport.last.sink.next(event("ADDED", "2", "c2"));
    assert.equal(live.cursor, "c2");
    transport.last.sink.error(new Error("socket closed"));
    await tick();
    assert.equal(transport.subs.length, 2);
    assert.deepEqual(transport.last.variables, { status: "todo", after: "c2" });
    transport.subs[0].sink.next(event("ADDED", "9", "old")); // the stopped one: ignored
    transport.last.sink.next(event("REMOVED", "1", "c3"));
    assert.deepEqual(events, ["ADDED 1", "ADDED 2", "REMOVED 1"]);
    live.stop();
    assert.ok(transport.last.stopped);
  });

  test("a server-side complete resumes too", async () => {
    const transport = fakeTransport();
    start(transport, { cursor: "saved" });
    assert.deepEqual(transport.last.variables, { status: "todo", after: "saved" });
    transport.last.sink.complete();
    await tick();
    assert.deepEqual(transport.last.variables, { status: "todo", after: "saved" });
  });

  test("RESUME_EXPIRED: onExpired (the refetch) first, then initial: true", async () => {
    const transport = fakeTransport();
    const order = [];
    let refetched;
    start(transport, {
      cursor: "too-old",
      onExpired: () =>
        new Promise((resolve) => {
          order.push("refetch");
          refetched = resolve;
        }),
      onCursor: (cursor) => order.push(`cursor ${cursor}`),
    });
    transport.last.sink.next(expired);
    assert.equal(transport.subs.length, 1); // not before the refetch is done
    assert.ok(transport.subs[0].stopped);
    refetched();
    await tick();
    assert.deepEqual(transport.last.variables, { status: "todo", initial: true });
    assert.deepEqual(order, ["cursor null", "refetch"]);
  });

  test("another GraphQL error ends it (no retry) and goes to onError", async () => {
    const transport = fakeTransport();
    const { errors } = start(transport);
    const denied = [{ message: "no", extensions: { code: "NOT_AUTHENTICATED" } }];
    transport.last.sink.next({ errors: denied });
    transport.last.sink.complete();
    await tick();
    assert.equal(transport.subs.length, 1);
    assert.deepEqual(errors, [denied]);
  });

  test("a 4403 close is not retried", async () => {
    const transport = fakeTransport();
    const { errors } = start(transport);
    transport.last.sink.error({ code: 4403, reason: "Forbidden" });
    await tick();
    assert.equal(transport.subs.length, 1);
    assert.equal(errors.length, 1);
  });

  test("retries wait, longer each time, reset by an event", async () => {
    const transport = fakeTransport();
    const waits = [];
    start(transport, { retryWait: (n) => (waits.push(n), Promise.resolve()) });
    transport.last.sink.error(new Error("down"));
    await tick();
    transport.last.sink.error(new Error("down"));
    await tick();
    transport.last.sink.next(event("ADDED", "1", "c1"));
    transport.last.sink.error(new Error("down"));
    await tick();
    assert.deepEqual(waits, [0, 1, 0]);
  });

  test("stop() while waiting to retry: no new subscription", async () => {
    const transport = fakeTransport();
    let release;
    const { live } = start(transport, { retryWait: () => new Promise((r) => (release = r)) });
    transport.last.sink.error(new Error("down"));
    live.stop();
    release();
    await tick();
    assert.equal(transport.subs.length, 1);
  });

  test("a graphql-ws client that reconnects: resubscribe at connected, the new one first", () => {
    const transport = fakeTransport();
    const socket = new EventEmitter();
    const wsClient = {
      on: (name, listener) => (socket.on(name, listener), () => socket.off(name, listener)),
    };
    const { live } = start(transport, { wsClient });
    transport.last.sink.next(event("ADDED", "1", "c1"));
    socket.emit("connected"); // not a reconnect
    assert.equal(transport.subs.length, 1);
    socket.emit("closed");
    socket.emit("connected");
    assert.equal(transport.subs.length, 2);
    assert.deepEqual(transport.last.variables, { status: "todo", after: "c1" });
    assert.ok(transport.subs[0].stopped);
    live.stop();
    assert.equal(socket.listenerCount("connected"), 0);
  });

  test("without `field`, the event is the result's only field", () => {
    const transport = fakeTransport();
    const { events } = start(transport, { field: undefined });
    transport.last.sink.next({ data: { commentsChanged: { kind: "ADDED", id: "4", cursor: "c" } } });
    assert.deepEqual(events, ["ADDED 4"]);
  });

  test("variables given with initial/after are replaced by the helper's", () => {
    const transport = fakeTransport();
    start(transport, { variables: { initial: true, after: "x", project: "1" } });
    assert.deepEqual(transport.last.variables, { project: "1", initial: true });
  });
});

describe("helpers", () => {
  test("isResumeExpired", () => {
    assert.equal(isResumeExpired(expired.errors), true);
    assert.equal(isResumeExpired([{ message: "x" }]), false);
    assert.equal(isResumeExpired(undefined), false);
  });

  test("fromGraphQLWs passes the document's text and the client", () => {
    const calls = [];
    const wsClient = { subscribe: (payload, sink) => (calls.push(payload), () => {}), on() {} };
    const query = "subscription ($after: String) { tasksChanged(after: $after) { kind id cursor } }";
    const transport = fromGraphQLWs(wsClient, query);
    assert.equal(transport.wsClient, wsClient);
    transport.subscribe({ after: "c" }, {});
    assert.deepEqual(calls, [{ query, variables: { after: "c" } }]);
  });

  test("sourceOf: strings, parsed documents with their source, codegen's strings", () => {
    const text = "subscription { tasksChanged { kind id cursor } }";
    class TypedDocumentString extends String {}
    assert.equal(sourceOf(text), text);
    assert.equal(sourceOf(parse(text)), text);
    assert.equal(sourceOf(new TypedDocumentString(text)), text);
    assert.throws(() => sourceOf({ kind: "Document", definitions: [] }), TypeError);
  });
});
