// The `graphql-sse` client in "distinct connections" mode (one text/event-stream request
// per operation) against the sample_site, with the Token header, on Node's fetch. The
// query and the subscription both go over SSE. See common.mjs for arguments and output.
import { createClient } from "graphql-sse";

import { TASK_COUNT, TASKS_CHANGED, emit, fail, parseArgs } from "./common.mjs";

const args = parseArgs();
const client = createClient({
  url: args.httpUrl,
  headers: { Authorization: args.authorization },
  retryAttempts: 0,
});

// graphql-sse runs queries over the event stream too: one `next`, then `complete`.
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
    next: (result) => {
      if (result.errors) fail(result);
      emit("event", result.data.tasksChanged);
      if (++received >= args.limit) {
        unsubscribe();
        client.dispose();
        emit("done");
        process.exit(0);
      }
    },
    error: fail,
    complete: () => fail(new Error("subscription completed by the server")),
  },
);
