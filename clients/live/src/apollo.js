// Apollo Client 4: keep a list query's cached result current from its `*Changed`
// subscription, resuming with `after:` through reconnects.
//
//   const live = liveList(client, {
//     query: TasksDocument,                 // tasks(status: $status, ordering: "id") {...}
//     subscription: TasksChangedDocument,   // tasksChanged(status: $status, initial: $initial,
//     variables: { status: "todo" },        //   after: $after) { kind id cursor node {...} }
//   });
//   // useQuery(TasksDocument, { variables }) / client.watchQuery(...) show the live list
//   live.stop();
//
// Each event is written through the cache: ADDED inserts the node into that list (at its
// place for the list's `ordering:` argument) and bumps `count`, MODIFIED merges it into
// the normalized entity (every query showing it updates) and moves it if a sort key
// changed, REMOVED takes it out of that list and decrements `count` (the entity stays:
// other lists may hold it). The subscription runs on whatever link the client has
// (GraphQLWsLink, or a plain HttpLink: Apollo's multipart subscriptions); the graphql-ws
// client under a GraphQLWsLink is found in the link chain (or pass it as `wsClient`):
// at each of its reconnects the helper resubscribes `after:`. On RESUME_EXPIRED the
// query is refetched (network-only), then the subscription starts over with
// `initial: true`. The last cursor is kept per cache and subscription, so a list
// mounted again resumes instead of starting over.

import { CombinedGraphQLErrors } from "@apollo/client";
import { Kind, print } from "graphql";

import { documentOf, listFieldOf, pickVariables, subscriptionFieldOf } from "./documents.js";
import { applyEvent, applyToData } from "./list.js";
import { liveSubscription } from "./live.js";

export { applyEvent };

/** cache -> (list query + subscription, with their variables -> last cursor). */
const cursors = new WeakMap();

function cursorStore(cache) {
  if (!cursors.has(cache)) cursors.set(cache, new Map());
  return cursors.get(cache);
}

/** A fragment of the subscription's `node { ... }` selection, for writeFragment. */
function nodeFragmentOf(subscription) {
  const operation = subscription.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const field = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  const node = field?.selectionSet?.selections.find(
    (s) => s.kind === Kind.FIELD && s.name.value === "node" && s.selectionSet,
  );
  if (!node) return null;
  const fragments = subscription.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  return (typename) => ({
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.FRAGMENT_DEFINITION,
        name: { kind: Kind.NAME, value: "LiveListNode" },
        typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: typename } },
        selectionSet: node.selectionSet,
      },
      ...fragments,
    ],
  });
}

/** An Apollo subscription as liveSubscription() wants it: GraphQL errors to `next`. */
export function apolloSubscribe(client, subscription, { context } = {}) {
  const query = documentOf(subscription);
  return (variables, sink) => {
    const observable = client.subscribe({
      query,
      variables,
      fetchPolicy: "no-cache", // the helper writes the node through the list query
      context: { queryDeduplication: false, ...context },
    });
    const handle = observable.subscribe({
      next: ({ data, error }) => {
        if (!error) sink.next({ data });
        else if (CombinedGraphQLErrors.is(error)) sink.next({ data, errors: error.errors });
        else sink.error(error); // network: Apollo completes the stream right after
      },
      error: (error) => sink.error(error),
      complete: () => sink.complete(),
    });
    return () => handle.unsubscribe();
  };
}

/**
 * The graphql-ws client under the client's GraphQLWsLink, if it has one (split and
 * concatenated links expose `left` and `right`): it reconnects by itself, so the
 * helper must resubscribe `after:` at its reconnects.
 */
export function findWsClient(link, seen = new Set()) {
  if (!link || typeof link !== "object" || seen.has(link)) return undefined;
  seen.add(link);
  const inner = link.client;
  if (inner && typeof inner.on === "function" && typeof inner.subscribe === "function") {
    return inner;
  }
  return findWsClient(link.left, seen) ?? findWsClient(link.right, seen);
}

/** How the helper finds and orders the list: from the options and the query. */
function listOptions(query, { field, variables, ordering, compare, idOf }) {
  const list = listFieldOf(query, field);
  return { key: list.key, order: { ordering: ordering ?? list.ordering(variables), compare, idOf } };
}

/**
 * Write one event into the cached list of `query` with `variables` (and, for ADDED and
 * MODIFIED, the node into its normalized entity with the subscription's selection).
 */
export function writeEvent(cache, { query, variables, subscription, ...options }, event) {
  const document = documentOf(query);
  const { key, order } = listOptions(document, { ...options, variables });
  const node = event.node;
  const fragmentFor = subscription ? nodeFragmentOf(documentOf(subscription)) : null;
  cache.batch({
    update(c) {
      if (node && fragmentFor && node.__typename && c.identify(node)) {
        c.writeFragment({ fragment: fragmentFor(node.__typename), data: node });
      }
      c.updateQuery({ query: document, variables }, (data) => {
        const next = data ? applyToData(data, key, event, order) : data;
        return next === data ? undefined : next; // unchanged: no write
      });
    },
  });
}

/**
 * An `updateQuery` for `observableQuery.subscribeToMore()` (no resume: prefer liveList).
 * Options: `field` (the list's key in the data, if the query has several), `ordering`
 * or `compare`, `idOf`.
 */
export function liveUpdateQuery({ field, ordering, compare, idOf } = {}) {
  return (previous, { subscriptionData }) => {
    const data = subscriptionData?.data;
    if (!previous || !data) return previous;
    const event = Object.values(data).find((value) => value && typeof value === "object");
    const key = field ?? Object.keys(previous).find((k) => k !== "__typename");
    return applyToData(previous, key, event, { ordering, compare, idOf });
  };
}

/**
 * Keep `query` (with `variables`) live in the client's cache; see the top of this file.
 * Options besides `query`, `subscription` and `variables`: `field` (the list field, if
 * the query has several root fields), `ordering` (DRF ordering; default: the list
 * field's `ordering:` argument; none: new rows go last), `compare`, `idOf`,
 * `subscriptionVariables` (default: the variables the subscription declares, taken from
 * `variables`), `wsClient` (default: the one under the link's GraphQLWsLink), `cursor`,
 * `context`, and liveSubscription()'s `onEvent`,
 * `onError`, `onSubscribe`, `retryWait`, `shouldRetry`.
 * Returns `{ ready, stop(), cursor }`: `ready` resolves once the query is in the cache
 * and the subscription started.
 */
export function liveList(client, options) {
  const { query, subscription, variables = {}, subscriptionVariables, cursor } = options;
  const { context, onEvent = () => {}, onError = (e) => console.error(e) } = options;
  const wsClient = options.wsClient ?? findWsClient(client.link);
  const queryDocument = documentOf(query);
  const subscriptionDocument = documentOf(subscription);
  const subVariables = subscriptionVariables ?? pickVariables(subscriptionDocument, variables);
  const store = cursorStore(client.cache);
  // The cursor says which events this cached list has had: one per list and subscription.
  const storeKey = JSON.stringify([
    print(queryDocument), variables, print(subscriptionDocument), subVariables,
  ]);
  const target = { ...options, query: queryDocument, subscription: subscriptionDocument, variables };
  let handle = null;
  let stopped = false;

  const resumeFrom = cursor ?? store.get(storeKey) ?? null;
  // Resuming, the cached list is as current as the cursor; starting over, it may be
  // older than anything the subscription will send: fetch it.
  const fetchPolicy = resumeFrom ? "cache-first" : "network-only";
  const ready = client.query({ query: queryDocument, variables, fetchPolicy }).then(() => {
    if (stopped) return;
    handle = liveSubscription({
      subscribe: apolloSubscribe(client, subscriptionDocument, { context }),
      field: subscriptionFieldOf(subscriptionDocument),
      variables: subVariables,
      cursor: resumeFrom,
      wsClient,
      onEvent(event) {
        writeEvent(client.cache, target, event);
        onEvent(event);
      },
      onCursor: (value) => (value ? store.set(storeKey, value) : store.delete(storeKey)),
      onExpired: () =>
        client.query({ query: queryDocument, variables, fetchPolicy: "network-only" }),
      onError,
      onSubscribe: options.onSubscribe,
      retryWait: options.retryWait,
      shouldRetry: options.shouldRetry,
    });
  }, onError);

  return {
    ready,
    get cursor() {
      return handle?.cursor ?? null;
    },
    stop() {
      stopped = true;
      handle?.stop();
    },
  };
}
