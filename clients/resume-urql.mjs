// The resume recipe (resumable.mjs) with `@urql/core`: subscriptionExchange forwards to a
// `graphql-ws` client that reconnects by itself; the helper watches that client and
// starts a new `client.subscription` with `after:` the last cursor (unsubscribing the
// old one). See common.mjs for arguments and output.
import { Client, fetchExchange, subscriptionExchange } from "@urql/core";
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
const client = new Client({
  url: args.wsUrls[0].replace(/^ws/, "http"),
  exchanges: [
    fetchExchange,
    subscriptionExchange({
      forwardSubscription: (request) => ({
        subscribe: (sink) => ({
          unsubscribe: wsClient.subscribe({ ...request, query: request.query || "" }, sink),
        }),
      }),
    }),
  ],
});

const list = new LiveRows(args.after);
const stop = resumable({
  wsClient,
  field: "tasksChanged",
  list,
  variables: args.variables,
  subscribe(variables, sink) {
    const { unsubscribe } = client
      .subscription(TASKS_RESUMABLE, variables)
      // urql reports GraphQL errors as `error.graphQLErrors`, a closed socket as
      // `error.networkError`.
      .subscribe(({ data, error }) =>
        error?.networkError ? sink.error(error) : sink.next({ data, errors: error?.graphQLErrors }),
      );
    return unsubscribe;
  },
  onSubscribe: (variables) => emit("subscribe", variables),
  onEvent: (event) => emit("event", plain(event)),
  onReset: () => emit("reset"),
  onError: fail,
});
serveCommands({ wsClient, list, stop });
