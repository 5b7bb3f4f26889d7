// The reducer: events applied to arrays and pages, with and without an ordering.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  LiveList,
  applyEvent,
  applyToData,
  compareByOrdering,
  compareValues,
  parseOrdering,
} from "@drf-graphql-live/client";

const task = (id, fields = {}) => ({ id, title: `t${id}`, priority: 1, ...fields });
const added = (node) => ({ kind: "ADDED", id: String(node.id), cursor: "c", node });
const modified = (node) => ({ kind: "MODIFIED", id: String(node.id), cursor: "c", node });
const removed = (id) => ({ kind: "REMOVED", id: String(id), cursor: "c", node: null });
const ids = (list) => (Array.isArray(list) ? list : list.results).map((row) => row.id);
const page = (results, extra = {}) => ({ count: results.length, results, next: null, previous: null, ...extra });

describe("applyEvent on an array", () => {
  test("ADDED appends when unordered, REMOVED deletes, MODIFIED keeps the place", () => {
    let rows = [task(3), task(1)];
    rows = applyEvent(rows, added(task(2)));
    assert.deepEqual(ids(rows), [3, 1, 2]);
    rows = applyEvent(rows, modified(task(3, { title: "new" })));
    assert.deepEqual(ids(rows), [3, 1, 2]);
    assert.equal(rows[0].title, "new");
    rows = applyEvent(rows, removed(1));
    assert.deepEqual(ids(rows), [3, 2]);
  });

  test("MODIFIED merges into the row: fields only the list selected stay", () => {
    const rows = applyEvent([{ ...task(1), description: "kept" }], modified({ id: 1, title: "x" }));
    assert.deepEqual(rows, [{ id: 1, title: "x", priority: 1, description: "kept" }]);
  });

  test("an event id is a string, a row id a number: they match", () => {
    assert.deepEqual(applyEvent([task(10)], removed("10")), []);
  });

  test("nothing to change returns the same array", () => {
    const rows = [task(1)];
    assert.equal(applyEvent(rows, removed(9)), rows);
  });

  test("the input is not mutated", () => {
    const rows = Object.freeze([Object.freeze(task(1)), Object.freeze(task(2))]);
    applyEvent(rows, modified(task(1, { title: "y" })), { ordering: "-id" });
    applyEvent(rows, added(task(0)), { ordering: "id" });
    applyEvent(rows, removed(2));
  });

  test("ordered: ADDED at its place, MODIFIED moves the row when a sort key changes", () => {
    const ordering = "-priority,id";
    let rows = [task(1, { priority: 3 }), task(2, { priority: 1 }), task(3, { priority: 1 })];
    rows = applyEvent(rows, added(task(4, { priority: 2 })), { ordering });
    assert.deepEqual(ids(rows), [1, 4, 2, 3]);
    rows = applyEvent(rows, modified(task(3, { priority: 5 })), { ordering });
    assert.deepEqual(ids(rows), [3, 1, 4, 2]);
    rows = applyEvent(rows, modified(task(3, { priority: 1 })), { ordering });
    assert.deepEqual(ids(rows), [1, 4, 2, 3]);
  });

  test("a MODIFIED for a row the list lacks inserts it (a whole list)", () => {
    assert.deepEqual(ids(applyEvent([task(1), task(3)], modified(task(2)), { ordering: "id" })), [1, 2, 3]);
  });

  test("compare overrides ordering", () => {
    const compare = (a, b) => b.id - a.id;
    assert.deepEqual(ids(applyEvent([task(3), task(1)], added(task(2)), { compare })), [3, 2, 1]);
  });

  test("idOf names the key", () => {
    const rows = [{ code: "a" }, { code: "b" }];
    const out = applyEvent(rows, { kind: "REMOVED", id: "a", node: null }, { idOf: (r) => r.code });
    assert.deepEqual(out, [{ code: "b" }]);
  });
});

describe("applyEvent on a page", () => {
  test("a whole page keeps count equal to its rows", () => {
    let list = page([task(1), task(2)]);
    list = applyEvent(list, added(task(3)), { ordering: "id" });
    assert.equal(list.count, 3);
    list = applyEvent(list, added(task(3, { title: "again" })), { ordering: "id" });
    assert.equal(list.count, 3); // an ADDED for a row it has: an upsert
    list = applyEvent(list, removed(1));
    list = applyEvent(list, removed(1)); // a REMOVED for a row it lacks: nothing
    assert.deepEqual(ids(list), [2, 3]);
    assert.equal(list.count, 2);
    assert.equal(list.__typename, undefined);
  });

  test("other fields of the page (__typename, next) are kept", () => {
    const list = applyEvent({ __typename: "TaskPage", ...page([task(1)]) }, added(task(2)));
    assert.equal(list.__typename, "TaskPage");
    assert.equal(list.next, null);
  });

  test("count null (cursor pagination) stays null", () => {
    assert.equal(applyEvent(page([task(1)], { count: null }), added(task(2))).count, null);
  });

  test("the first page of a longer list: rows past its end only count", () => {
    const first = page([task(1), task(2)], { count: 5, next: "?offset=2" });
    const past = applyEvent(first, added(task(9)), { ordering: "id" });
    assert.deepEqual(ids(past), [1, 2]);
    assert.equal(past.count, 6);
    const inside = applyEvent(first, added(task(0)), { ordering: "id" });
    assert.deepEqual(ids(inside), [0, 1, 2]);
    assert.equal(inside.count, 6);
    const gone = applyEvent(first, removed(7));
    assert.deepEqual(ids(gone), [1, 2]);
    assert.equal(gone.count, 4);
    const movedAway = applyEvent(first, modified(task(1, { id: 1, priority: 9 })), { ordering: "priority,id" });
    assert.deepEqual(ids(movedAway), [2]);
    assert.equal(movedAway.count, 5);
  });

  test("a middle page: a row sorting before it belongs to an earlier page", () => {
    const middle = page([task(5), task(6)], { count: 9, next: "n", previous: "p" });
    assert.deepEqual(ids(applyEvent(middle, added(task(1)), { ordering: "id" })), [5, 6]);
    assert.deepEqual(ids(applyEvent(middle, added(task(5.5)), { ordering: "id" })), [5, 5.5, 6]);
  });

  test("unordered, the last page takes new rows; an earlier one only counts them", () => {
    const last = page([task(1)], { count: 3, previous: "p" });
    assert.deepEqual(ids(applyEvent(last, added(task(2)))), [1, 2]);
    const earlier = page([task(1)], { count: 3, next: "n" });
    assert.deepEqual(ids(applyEvent(earlier, added(task(2)))), [1]);
    assert.equal(applyEvent(earlier, added(task(2))).count, 4);
  });

  test("a list that is neither raises", () => {
    assert.throws(() => applyEvent({ rows: [] }, added(task(1))), TypeError);
  });
});

describe("ordering", () => {
  test("parseOrdering: snake_case to camelCase, __ to a path, - descending", () => {
    assert.deepEqual(parseOrdering("-due_date, assignee_detail__username"), [
      { path: ["dueDate"], descending: true },
      { path: ["assigneeDetail", "username"], descending: false },
    ]);
    assert.deepEqual(parseOrdering(["id"]), [{ path: ["id"], descending: false }]);
    assert.equal(compareByOrdering(""), null);
    assert.equal(compareByOrdering(null), null);
  });

  test("nulls sort last ascending, first descending (PostgreSQL)", () => {
    const rows = [{ id: 1, due: null }, { id: 2, due: "2026-01-02" }, { id: 3, due: "2026-01-01" }];
    assert.deepEqual(ids([...rows].sort(compareByOrdering("due"))), [3, 2, 1]);
    assert.deepEqual(ids([...rows].sort(compareByOrdering("-due"))), [1, 2, 3]);
  });

  test("strings by code unit (a C collation), numbers by value", () => {
    assert.ok(compareValues("B", "a") < 0);
    assert.ok(compareValues(9, 10) < 0);
    assert.equal(compareValues("x", "x"), 0);
  });

  test("ISO datetimes with and without fractions sort as times", () => {
    assert.ok(compareValues("2026-01-01T10:00:05Z", "2026-01-01T10:00:05.250000Z") < 0);
    assert.ok(compareValues("2026-01-01T10:00:05.9Z", "2026-01-01T10:00:06Z") < 0);
  });

  test("nested paths: assigneeDetail__username with a null assignee", () => {
    const rows = [{ id: 1, assigneeDetail: null }, { id: 2, assigneeDetail: { username: "bob" } }];
    assert.deepEqual(ids([...rows].sort(compareByOrdering("assignee_detail__username"))), [2, 1]);
  });
});

describe("applyToData", () => {
  test("applies to data[key], keeps the rest, same object when nothing changes", () => {
    const data = { projects: { results: [] }, tasks: page([task(1)]) };
    const next = applyToData(data, "tasks", added(task(2)));
    assert.equal(next.projects, data.projects);
    assert.deepEqual(ids(next.tasks), [1, 2]);
    assert.equal(applyToData(data, "tasks", removed(8)), data);
    assert.equal(applyToData(null, "tasks", removed(8)), null);
  });
});

describe("LiveList", () => {
  test("events touched after the mark win over the query's answer", () => {
    const list = new LiveList({ ordering: "id" });
    list.apply(added(task(5))); // before the mark: the query knows better
    const mark = list.mark();
    list.apply(modified(task(2, { title: "newer" }))); // after: newer than the answer
    list.apply(removed(3));
    list.apply(added(task(4)));
    list.load([task(1), task(2, { title: "older" }), task(3)], mark);
    assert.deepEqual(ids(list.rows), [1, 2, 4]);
    assert.equal(list.rows[1].title, "newer");
  });

  test("a page: count follows the rows the merge added or dropped", () => {
    const list = new LiveList({ ordering: "id", value: page([]) });
    const mark = list.mark();
    list.apply(added(task(9)));
    list.load(page([task(1), task(2)]), mark);
    assert.deepEqual(ids(list.value), [1, 2, 9]);
    assert.equal(list.value.count, 3);
  });

  test("reset drops rows and what was touched", () => {
    const list = new LiveList({ value: page([task(1)]) });
    list.apply(removed(1));
    list.reset();
    assert.deepEqual(list.value.results, []);
    assert.equal(list.touched.size, 0);
  });
});
