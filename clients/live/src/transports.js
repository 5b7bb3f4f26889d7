// `subscribe(variables, sink)` for liveSubscription() from the two transport clients, so
// that a page without Apollo or urql needs one line:
//
//   liveSubscription({ ...fromGraphQLWs(wsClient, TASKS_CHANGED), onEvent, onExpired })
//
// graphql-ws: the client may retry (retryAttempts): `wsClient` is passed along, and the
// subscription restarts with `after:` at each of its reconnects. graphql-sse: create the
// client with `retryAttempts: 0`; liveSubscription() retries itself, with `after:` (a
// graphql-sse retry would resend the first variables, `initial: true`).

//
// No GraphQL parser here (the page's bundle stays small): the document is a string, a
// parsed document that kept its source (`gql`, `parse`), or codegen's TypedDocumentString.

/** The text of a document. */
export function sourceOf(query) {
  if (typeof query === "string") return query;
  if (query?.loc?.source?.body) return query.loc.source.body;
  if (query && query.kind === undefined && typeof query.toString === "function") {
    return String(query); // graphql-codegen's TypedDocumentString
  }
  throw new TypeError("pass the subscription as a string (or `print(document)` from graphql)");
}

/** For a graphql-ws client: `{ subscribe, wsClient }`. */
export function fromGraphQLWs(wsClient, query) {
  const text = sourceOf(query);
  return {
    wsClient,
    subscribe: (variables, sink) => wsClient.subscribe({ query: text, variables }, sink),
  };
}

/** For a graphql-sse client (distinct connections mode, retryAttempts: 0). */
export function fromGraphQLSse(sseClient, query) {
  const text = sourceOf(query);
  return {
    subscribe: (variables, sink) => sseClient.subscribe({ query: text, variables }, sink),
  };
}
