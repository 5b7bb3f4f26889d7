// `@urql/core`: queries with fetchExchange over HTTP (Token header), subscriptions with
// subscriptionExchange forwarded to a `graphql-ws` client (connectionParams carry the
// token), as urql's documentation sets it up. See common.mjs for arguments and output.
import { Client, fetchExchange, subscriptionExchange } from "@urql/core";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";

import { TASK_COUNT, TASKS_CHANGED, emit, fail, parseArgs, plain } from "./common.mjs";

const args = parseArgs();
const wsClient = createWsClient({
  url: args.wsUrl,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: args.authorization },
  retryAttempts: 0,
});

const client = new Client({
  url: args.httpUrl,
  fetchOptions: { headers: { Authorization: args.authorization } },
  exchanges: [
    fetchExchange,
    subscriptionExchange({
      forwardSubscription(request) {
        const input = { ...request, query: request.query || "" };
        return {
          subscribe(sink) {
            const unsubscribe = wsClient.subscribe(input, sink);
            return { unsubscribe };
          },
        };
      },
    }),
  ],
});

const count = await client.query(TASK_COUNT, {}).toPromise();
if (count.error) fail(count.error);
emit("query", plain(count.data));

let received = 0;
const subscription = client.subscription(TASKS_CHANGED, args.variables).subscribe(async (result) => {
  if (result.error) fail(result.error);
  emit("event", plain(result.data.tasksChanged));
  if (++received >= args.limit) {
    subscription.unsubscribe();
    await wsClient.dispose();
    emit("done");
    process.exit(0);
  }
});
