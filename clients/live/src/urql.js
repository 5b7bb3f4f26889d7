// urql: live lists with Graphcache, or with plain @urql/core.
//
// Graphcache: its `updates` put each event into the cached lists, liveSubscription()
// keeps the subscription running and resumes it.
//
//   const client = new Client({ url, exchanges: [cacheExchange({
//     keys: { TaskPage: () => null, TaskEvent: () => null },
//     updates: { Subscription: liveUpdates({ tasksChanged: TasksDocument }) },
//   }), fetchExchange, subscriptionExchange({ forwardSubscription })] });
//   const live = liveSubscription(client, { subscription: TasksChangedDocument,
//                                           query: TasksDocument, variables });
//
// Plain @urql/core (document cache, no normalized entities): liveQuery() runs the query
// and hands you its data with every event applied.
//
//   const live = liveQuery(client, { query, subscription, variables, onData: render });

import { print } from "graphql";
import { onEnd, pipe, subscribe as subscribeTo } from "wonka";

import { documentOf, listFieldOf, pickVariables, subscriptionFieldOf } from "./documents.js";
import { applyToData } from "./list.js";
import { liveSubscription as keepAlive } from "./live.js";

/** A list one subscription field updates: a query document, or `{ query, ... }`. */
function specOf(entry) {
  const spec = entry?.query ? entry : { query: entry };
  const query = documentOf(spec.query);
  return { ...spec, query, list: listFieldOf(query, spec.field) };
}

function variablesFor(spec, args) {
  if (typeof spec.variables === "function") return spec.variables(args);
  return spec.variables ?? pickVariables(spec.query, args);
}

/**
 * Graphcache `updates.Subscription` for live lists: `{ tasksChanged: TasksDocument }`, or
 * `{ tasksChanged: { query, variables, field, ordering, compare, idOf } }`, or a list of
 * those per field. Each event is applied to the query's cached list with the variables
 * taken from the subscription's arguments (the ones the query declares; or
 * `variables`, an object or a function of the arguments). Graphcache itself merges the
 * event's node into its normalized entity.
 */
export function liveUpdates(lists) {
  const updates = {};
  for (const [field, entries] of Object.entries(lists)) {
    const specs = (Array.isArray(entries) ? entries : [entries]).map(specOf);
    updates[field] = (result, args, cache, info) => {
      const event = result[info.fieldName] ?? result[field];
      if (!event) return;
      for (const spec of specs) {
        const variables = variablesFor(spec, args);
        const order = {
          ordering: spec.ordering ?? spec.list.ordering(variables),
          compare: spec.compare,
          idOf: spec.idOf,
        };
        cache.updateQuery({ query: spec.query, variables }, (data) =>
          data ? applyToData(data, spec.list.key, event, order) : data,
        );
      }
    };
  }
  return updates;
}

/** An urql subscription as liveSubscription() wants it. */
export function urqlSubscribe(client, subscription, context) {
  return (variables, sink) => {
    let ended = false;
    const { unsubscribe } = pipe(
      client.subscription(subscription, variables, context),
      onEnd(() => {
        if (!ended) sink.complete();
      }),
      subscribeTo(({ data, error }) => {
        if (error?.networkError) {
          ended = true;
          sink.error(error.networkError);
        } else if (error?.graphQLErrors?.length) {
          sink.next({ data, errors: error.graphQLErrors });
        } else {
          sink.next({ data });
        }
      }),
    );
    return () => {
      ended = true;
      unsubscribe();
    };
  };
}

/** client -> (subscription + variables -> the last cursor applied). */
const cursors = new WeakMap();

/** Where the cursor of this subscription is kept, and the one to resume from. */
function resumePoint(client, options) {
  if (!cursors.has(client)) cursors.set(client, new Map());
  const store = cursors.get(client);
  const subscription = documentOf(options.subscription);
  const variables = options.subscriptionVariables ?? pickVariables(subscription, options.variables);
  const key = JSON.stringify([print(subscription), variables]);
  return {
    subscription,
    variables,
    cursor: options.cursor ?? store.get(key) ?? null,
    save: (cursor) => (cursor ? store.set(key, cursor) : store.delete(key)),
  };
}

function keep(client, options, point, { onEvent, onExpired }) {
  const { subscription } = point;
  return keepAlive({
    subscribe: urqlSubscribe(client, subscription, options.context),
    field: subscriptionFieldOf(subscription),
    variables: point.variables,
    cursor: point.cursor,
    wsClient: options.wsClient,
    onEvent,
    onExpired,
    onCursor(cursor) {
      point.save(cursor);
      options.onCursor?.(cursor);
    },
    onSubscribe: options.onSubscribe,
    onError: options.onError,
    retryWait: options.retryWait,
    shouldRetry: options.shouldRetry,
  });
}

/**
 * Run a `*Changed` subscription for Graphcache (its `updates` apply the events), resuming
 * with `after:` through reconnects; on RESUME_EXPIRED refetch `query` (and `queries`, a
 * list of `{ query, variables }`) network-only, then `initial: true`.
 * Options: `subscription`, `variables`, `query`, `queries`, `subscriptionVariables`,
 * `wsClient`, `cursor`, `context`, `onEvent`, `onError`, `onSubscribe`, `retryWait`,
 * `shouldRetry`. The lists are fetched (cache-first) before it subscribes.
 * Returns `{ ready, stop(), cursor }`.
 */
export function liveSubscription(client, options) {
  const { query, queries = [], variables = {}, onEvent = () => {} } = options;
  const onError = options.onError ?? ((error) => console.error(error));
  const lists = [...(query ? [{ query, variables }] : []), ...queries];
  const fetchLists = (requestPolicy) =>
    Promise.all(
      lists.map(async (list) => {
        const result = await client.query(list.query, list.variables, { requestPolicy }).toPromise();
        if (result.error) throw result.error;
      }),
    );
  const state = { handle: null, stopped: false };
  // The lists are in the cache before the first event, so that none is dropped; fetched
  // anew unless resuming (a cached list may be older than what `initial: true` sends).
  const point = resumePoint(client, options);
  const ready = fetchLists(point.cursor ? "cache-first" : "network-only").then(() => {
    if (state.stopped) return;
    state.handle = keep(client, { ...options, onError }, point, {
      onEvent,
      onExpired: () => fetchLists("network-only"),
    });
  }, onError);
  return {
    ready,
    get cursor() {
      return state.handle?.cursor ?? null;
    },
    stop() {
      state.stopped = true;
      state.handle?.stop();
    },
  };
}

/**
 * Plain @urql/core: run `query`, then keep its data current from `subscription`, calling
 * `onData(data)` with each new version. Options as liveSubscription(), plus `field`,
 * `ordering`, `compare`, `idOf` (see liveUpdates) and `onData`.
 * Returns `{ ready, data, stop(), cursor }`.
 */
export function liveQuery(client, options) {
  const { variables = {}, onData = () => {}, onEvent = () => {} } = options;
  const onError = options.onError ?? ((error) => console.error(error));
  const query = documentOf(options.query);
  const list = listFieldOf(query, options.field);
  const order = {
    ordering: options.ordering ?? list.ordering(variables),
    compare: options.compare,
    idOf: options.idOf,
  };
  const state = { data: null, handle: null, stopped: false };
  const fetchList = async (requestPolicy) => {
    const result = await client.query(query, variables, { requestPolicy }).toPromise();
    if (result.error) throw result.error;
    state.data = result.data;
    onData(state.data);
  };
  // A fresh answer and `after:` an older cursor is exact: the catch-up brings what
  // changed since the cursor, so a cursor kept from an earlier liveQuery is used too.
  const point = resumePoint(client, options);
  const ready = fetchList("network-only").then(() => {
    if (state.stopped) return;
    state.handle = keep(client, { ...options, onError }, point, {
      onEvent(event) {
        const next = applyToData(state.data, list.key, event, order);
        onEvent(event);
        if (next === state.data) return;
        state.data = next;
        onData(next);
      },
      onExpired: () => fetchList("network-only"),
    });
  }, onError);
  return {
    ready,
    get data() {
      return state.data;
    },
    get cursor() {
      return state.handle?.cursor ?? null;
    },
    stop() {
      state.stopped = true;
      state.handle?.stop();
    },
  };
}
