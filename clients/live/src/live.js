// A `*Changed` subscription kept alive through reconnects, resuming with `after:`.
//
//   const live = liveSubscription({
//     field: "tasksChanged",
//     variables: { status: "todo" },
//     subscribe: (variables, sink) => wsClient.subscribe({ query, variables }, sink),
//     onEvent: (event) => list.apply(event),
//     onExpired: async () => list.load(await refetch()),   // RESUME_EXPIRED
//   });
//   live.stop();
//
// The first subscription asks for `initial: true` (or `after:` a cursor you give it);
// every later one `after:` the cursor of the last event applied, so the server sends
// only what changed meanwhile (ADDED / MODIFIED / REMOVED, the latest state per object).
// A subscription restarts when:
// - the transport fails (a network error, a closed socket, the stream of graphql-sse or
//   of Apollo's multipart HTTP ending) or the server completes it: after `retryWait`;
// - the graphql-ws client given as `wsClient` reconnects by itself (retryAttempts): at
//   its `connected`, before graphql-ws resends the old subscription with its first
//   variables (an `initial: true` would send the whole list again);
// - the cursor cannot be resumed (RESUME_EXPIRED: too old, another deployment, the
//   in-memory layer restarted): `onExpired()` refetches the list, then `initial: true`.
// Events of a subscription it replaced are ignored. Another GraphQL error (say
// NOT_AUTHENTICATED) goes to `onError` and ends it: retrying would not help.

export const RESUME_EXPIRED = "RESUME_EXPIRED";

/** True for errors that say the cursor cannot be resumed. */
export function isResumeExpired(errors) {
  return (errors ?? []).some((error) => error?.extensions?.code === RESUME_EXPIRED);
}

/** Close codes of graphql-transport-ws that a retry cannot fix (bad request, forbidden). */
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4406, 4409, 4429]);

/** Retry anything but a close code that says the request itself is refused. */
export function defaultShouldRetry(error) {
  return !FATAL_CLOSE_CODES.has(error?.code);
}

/** 0.5 s, 1 s, 2 s, ... at most 10 s, with some jitter. */
export function defaultRetryWait(retries) {
  const delay = Math.min(500 * 2 ** retries, 10_000) * (0.75 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, delay));
}

/**
 * Keep a `*Changed` subscription live; see the top of this file.
 *
 * - subscribe(variables, sink): start the subscription with your client; return a
 *   function that stops it. `sink.next` takes the GraphQL result `{ data, errors }`,
 *   `sink.error` a transport error, `sink.complete()` the end of the stream.
 * - field: the subscription field ("tasksChanged"; default: the result's only field);
 *   variables: its other variables.
 * - cursor: resume from this cursor (a saved one) instead of `initial: true`.
 * - wsClient: a retrying graphql-ws client that the subscription runs on.
 * - onEvent(event): apply it (the cursor is taken as applied when it returns);
 *   onCursor(cursor) after; onExpired(): refetch the list (may return a promise);
 *   onSubscribe(variables) for each (re)subscription; onError(error) for what ends it.
 */
export function liveSubscription({
  subscribe,
  field,
  variables = {},
  cursor = null,
  wsClient,
  onEvent,
  onExpired = () => {},
  onCursor = () => {},
  onSubscribe = () => {},
  onError = (error) => console.error(error),
  retryWait = defaultRetryWait,
  shouldRetry = defaultShouldRetry,
}) {
  let generation = 0;
  let stopCurrent = () => {};
  let stopped = false;
  let retries = 0;
  let disconnected = false;
  const state = { cursor };
  // A subscription selects one root field (the GraphQL spec): `field` or that one.
  const eventOf = (data) => (data ? (field ? data[field] : Object.values(data)[0]) : undefined);

  function variablesNow() {
    const base = { ...variables };
    delete base.initial;
    delete base.after;
    return state.cursor ? { ...base, after: state.cursor } : { ...base, initial: true };
  }

  function start() {
    if (stopped) return;
    const mine = ++generation;
    const previous = stopCurrent;
    const current = variablesNow();
    const live = () => mine === generation && !stopped;
    onSubscribe(current);
    stopCurrent = subscribe(current, {
      next(result) {
        if (!live()) return;
        if (isResumeExpired(result?.errors)) expire();
        else if (result?.errors?.length) end(result.errors);
        else if (eventOf(result?.data)) {
          retries = 0;
          const event = eventOf(result.data);
          onEvent(event);
          if (event.cursor) {
            state.cursor = event.cursor;
            onCursor(event.cursor);
          }
        }
      },
      error(error) {
        if (!live()) return;
        if (shouldRetry(error)) retry();
        else end(error);
      },
      complete() {
        if (live()) retry(); // the server ended the stream: resume where we were
      },
    });
    previous(); // after starting the new one: a lazy graphql-ws keeps its socket
  }

  /** Stop the current subscription (its late events are ignored). */
  function drop() {
    generation++;
    const stop = stopCurrent;
    stopCurrent = () => {};
    stop();
  }

  function retry() {
    drop();
    const waiting = generation; // a reconnect or restart() meanwhile starts it instead
    const again = () => waiting === generation && start();
    Promise.resolve(retryWait(retries++)).then(again, again);
  }

  function end(error) {
    drop();
    onError(error);
  }

  async function expire() {
    drop();
    state.cursor = null;
    onCursor(null);
    try {
      await onExpired();
    } catch (error) {
      onError(error);
    }
    start();
  }

  const unlisten = wsClient
    ? [
        wsClient.on("closed", () => {
          disconnected = true;
        }),
        wsClient.on("connected", () => {
          if (!disconnected) return;
          disconnected = false;
          start(); // before graphql-ws resends the old subscription
        }),
      ]
    : [];

  start();
  return {
    /** The cursor of the last event applied (null before the first). */
    get cursor() {
      return state.cursor;
    },
    /** Subscribe again now, `after:` the last cursor. */
    restart: start,
    stop() {
      stopped = true;
      for (const off of unlisten) off();
      drop();
    },
  };
}
