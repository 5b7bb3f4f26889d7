// The resume recipe (resumable.mjs) with `@apollo/client`: subscriptions go through a
// GraphQLWsLink over a `graphql-ws` client that reconnects by itself; the helper watches
// that client and resubscribes through Apollo with `after:` the last cursor (a new
// `client.subscribe` with the current variables; unsubscribing stops the old one).
// (In an app the link is split with an HttpLink for queries: see apollo.mjs.)
// See common.mjs for arguments and output.
import { ApolloClient, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient } from "graphql-ws";

import {
  TASKS_RESUMABLE,
  TracingWebSocket,
  emit,
  fail,
  parseResumeArgs,
  plain,
  quickRetryWait,
  serveCommands,
  traceConnection,
} from "./common.mjs";
import { LiveRows, resumable } from "./resumable.mjs";

const args = parseResumeArgs();
const wsClient = createClient({
  url: args.nextUrl,
  webSocketImpl: TracingWebSocket,
  connectionParams: { Authorization: args.authorization },
  retryAttempts: Infinity,
  shouldRetry: () => true,
  retryWait: quickRetryWait,
});
traceConnection(wsClient);
const client = new ApolloClient({ link: new GraphQLWsLink(wsClient), cache: new InMemoryCache() });
const query = gql(TASKS_RESUMABLE);

const list = new LiveRows(args.after);
const stop = resumable({
  wsClient,
  field: "tasksChanged",
  list,
  variables: args.variables,
  subscribe(variables, sink) {
    const subscription = client
      .subscribe({ query, variables, fetchPolicy: "no-cache" })
      .subscribe({
        // Apollo reports GraphQL errors as `error` (CombinedGraphQLErrors, `.errors`).
        next: ({ data, error }) =>
          error && !error.errors ? sink.error(error) : sink.next({ data, errors: error?.errors }),
        error: sink.error,
        complete: sink.complete,
      });
    return () => subscription.unsubscribe();
  },
  onSubscribe: (variables) => emit("subscribe", variables),
  onEvent: (event) => emit("event", plain(event)),
  onReset: () => emit("reset"),
  onError: fail,
});
serveCommands({ wsClient, list, stop });
