// Resumable live lists: keep the rows by id and the cursor of the last event applied, and
// after every reconnect subscribe again with `after: <that cursor>` instead of
// `initial: true`: the server first sends what changed while the socket was down
// (ADDED / MODIFIED / REMOVED, the latest state per object), then the live events.
//
//   const list = new LiveRows();  // restoring a saved list: new LiveRows(savedCursor)
//                                 // and list.rows = new Map(savedRows), both together
//   const stop = resumable({ wsClient, field: "tasksChanged", list,
//                            subscribe: (variables, sink) => ... });   // see below
//
// `subscribe(variables, sink)` starts the subscription with your client and returns a
// function that stops it; `sink.next` takes the raw GraphQL result ({data, errors}).
// clients/resume-graphql-ws.mjs, resume-apollo.mjs and resume-urql.mjs write it for the
// graphql-ws client, Apollo Client (GraphQLWsLink) and urql (subscriptionExchange). The
// document must take `$initial: Boolean` and `$after: String` and select `cursor`:
//
//   subscription ($status: String, $initial: Boolean, $after: String) {
//     tasksChanged(status: $status, initial: $initial, after: $after) {
//       kind id cursor node { ... } } }
//
// Why not let graphql-ws resubscribe by itself? When it reconnects (retryAttempts) it
// sends every active subscription again with the payload it was first given: the same
// variables, so `initial: true` and the whole list once more. So the helper watches the
// graphql-ws client: after a `closed`, at the next `connected` (before graphql-ws has
// resent anything) it starts a new one with the current variables, then stops the old
// one (in that order, so a lazy client keeps its socket). Events of a subscription it
// stopped are ignored.
//
// A cursor the server cannot resume (older than RESUME_WINDOW, unknown, from another
// deployment) ends the subscription with a RESUME_EXPIRED error: the helper then drops
// its rows (onReset) and subscribes with `initial: true`.

export const RESUME_EXPIRED = "RESUME_EXPIRED";

/** The rows of one live list by id, and the cursor of the last event applied to them. */
export class LiveRows {
  constructor(cursor = null) {
    /** @type {Map<string, any>} id -> node */
    this.rows = new Map();
    /** @type {string | null} */
    this.cursor = cursor;
  }

  /** The subscription's variables: resume from the cursor when there is one. */
  variables(base = {}) {
    return this.cursor ? { ...base, after: this.cursor } : { ...base, initial: true };
  }

  /** ADDED / MODIFIED upsert the node, REMOVED deletes it; remember the cursor. */
  apply(event) {
    if (event.kind === "REMOVED" || !event.node) this.rows.delete(String(event.id));
    else this.rows.set(String(event.id), event.node);
    this.cursor = event.cursor;
  }

  reset() {
    this.rows.clear();
    this.cursor = null;
  }
}

/** True for a result whose error says the cursor cannot be resumed. */
export function isResumeExpired(errors) {
  return (errors ?? []).some((error) => error?.extensions?.code === RESUME_EXPIRED);
}

/**
 * Keep `list` current through reconnects. Returns `stop()` (call it before disposing
 * the graphql-ws client).
 *
 * - wsClient: the graphql-ws client the subscription runs on (Apollo's GraphQLWsLink and
 *   urql's subscriptionExchange wrap one too); create it with `retryAttempts` and
 *   `shouldRetry: () => true` so it keeps reconnecting.
 * - subscribe(variables, sink): start the subscription, return its stop function.
 * - field: the subscription field ("tasksChanged").
 * - variables: the other variables (filters).
 * - onEvent(event, list): after each event is applied; onReset(list): rows dropped
 *   (RESUME_EXPIRED), a fresh `initial: true` list follows; onSubscribe(variables);
 *   onError(error): anything else (an error result, a fatal close).
 */
export function resumable({
  wsClient,
  subscribe,
  field,
  list = new LiveRows(),
  variables = {},
  onEvent = () => {},
  onReset = () => {},
  onSubscribe = () => {},
  onError = (error) => console.error(error),
}) {
  let generation = 0;
  let stopCurrent = () => {};
  let reconnecting = false;

  function start() {
    const mine = ++generation;
    const previous = stopCurrent;
    const current = list.variables(variables);
    onSubscribe(current);
    stopCurrent = subscribe(current, {
      next(result) {
        if (mine !== generation) return; // a subscription we stopped
        if (isResumeExpired(result.errors)) {
          list.reset();
          onReset(list);
          start();
        } else if (result.errors?.length) {
          onError(result.errors);
        } else {
          const event = result.data[field];
          list.apply(event);
          onEvent(event, list);
        }
      },
      error(error) {
        if (mine === generation) onError(error);
      },
      complete() {},
    });
    previous(); // after starting the new one: the socket stays open in between
  }

  const unlisten = [
    wsClient.on("closed", () => {
      reconnecting = true;
    }),
    wsClient.on("connected", () => {
      if (reconnecting) {
        reconnecting = false;
        start(); // graphql-ws has not resent the old subscription yet
      }
    }),
  ];
  start();
  return () => {
    for (const off of unlisten) off();
    generation++;
    stopCurrent();
  };
}
