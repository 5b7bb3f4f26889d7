// The resume recipe (resumable.mjs) with the `graphql-ws` client: it reconnects by itself
// (retryAttempts, shouldRetry), and the helper resubscribes with `after:` the last
// cursor. See common.mjs for arguments and output.
import { createClient } from "graphql-ws";

import {
  TASKS_RESUMABLE,
  TracingWebSocket,
  emit,
  fail,
  parseResumeArgs,
  quickRetryWait,
  serveCommands,
  traceConnection,
} from "./common.mjs";
import { LiveRows, resumable } from "./resumable.mjs";

const args = parseResumeArgs();
const wsClient = createClient({
  url: args.nextUrl, // a function: called at every connection attempt
  webSocketImpl: TracingWebSocket,
  connectionParams: { Authorization: args.authorization },
  retryAttempts: Infinity,
  shouldRetry: () => true, // also when the server is down (connection refused)
  retryWait: quickRetryWait,
});
traceConnection(wsClient);

const list = new LiveRows(args.after);
const stop = resumable({
  wsClient,
  field: "tasksChanged",
  list,
  variables: args.variables,
  subscribe: (variables, sink) => wsClient.subscribe({ query: TASKS_RESUMABLE, variables }, sink),
  onSubscribe: (variables) => emit("subscribe", variables),
  onEvent: (event) => emit("event", event),
  onReset: () => emit("reset"),
  onError: fail,
});
serveCommands({ wsClient, list, stop });
