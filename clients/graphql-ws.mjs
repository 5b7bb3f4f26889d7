// The `graphql-ws` client (graphql-transport-ws) against the sample_site, on Node with
// the `ws` package as its WebSocket. See common.mjs for arguments and output.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

import { TASK_COUNT, TASKS_CHANGED, emit, fail, parseArgs } from "./common.mjs";

const args = parseArgs();
const client = createClient({
  url: args.wsUrl,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: args.authorization },
  retryAttempts: 0,
});

// graphql-ws runs queries over the socket too.
const count = await new Promise((resolve, reject) => {
  let data;
  client.subscribe(
    { query: TASK_COUNT },
    {
      next: (result) => (result.errors ? reject(result.errors) : (data = result.data)),
      error: reject,
      complete: () => resolve(data),
    },
  );
}).catch(fail);
emit("query", count);

let received = 0;
const unsubscribe = client.subscribe(
  { query: TASKS_CHANGED, variables: args.variables },
  {
    next: async (result) => {
      if (result.errors) fail(result);
      emit("event", result.data.tasksChanged);
      if (++received >= args.limit) {
        unsubscribe();
        await client.dispose();
        emit("done");
        process.exit(0);
      }
    },
    error: fail,
    complete: () => fail(new Error("subscription completed by the server")),
  },
);
