// Shared by the client scripts: arguments, output (one JSON object per line on stdout),
// and the GraphQL documents every client runs against the sample_site.
//
//   node clients/<client>.mjs <ws-url> <token> [--limit N] [--status todo|in_progress|done]
//
// <ws-url> is the GraphQL endpoint (ws://127.0.0.1:8000/graphql/); queries go to the same
// URL over http://. Each script first runs TASK_COUNT (over HTTP; graphql-ws: over the
// socket) and prints
// {"type":"query","data":...}, then subscribes to TASKS_CHANGED over graphql-transport-ws
// and prints {"type":"event","data":{kind,id,node}} per event. With --limit N it
// unsubscribes after N events, prints {"type":"done"} and exits 0; any error prints
// {"type":"error",...} and exits 1. The resume scripts: see below.

import WebSocket from "ws";

export const TASK_COUNT = /* GraphQL */ `
  query TaskCount {
    tasks {
      count
    }
  }
`;

export const TASKS_CHANGED = /* GraphQL */ `
  subscription TasksChanged($status: String) {
    tasksChanged(status: $status, initial: true) {
      kind
      id
      node {
        id
        title
        status
        projectName
        assigneeDetail {
          username
        }
      }
    }
  }
`;

export function parseArgs(argv = process.argv.slice(2)) {
  const positional = [];
  const options = { limit: Infinity, status: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--limit") options.limit = Number(argv[++i]);
    else if (argv[i] === "--status") options.status = argv[++i];
    else positional.push(argv[i]);
  }
  const [wsUrl, token] = positional;
  if (!wsUrl || !token) {
    process.stderr.write("usage: node <client>.mjs <ws-url> <token> [--limit N] [--status S]\n");
    process.exit(2);
  }
  return {
    wsUrl,
    httpUrl: wsUrl.replace(/^ws/, "http"),
    token,
    authorization: `Token ${token}`,
    variables: options.status ? { status: options.status } : {},
    ...options,
  };
}

export function emit(type, data) {
  process.stdout.write(JSON.stringify(data === undefined ? { type } : { type, data }) + "\n");
}

export function fail(error) {
  let message;
  if (error instanceof Error) message = error.message;
  else if (typeof error?.code === "number") {
    // graphql-ws reports a closed socket with its CloseEvent (4403: bad credentials).
    message = `WebSocket closed with code ${error.code}${error.reason ? `: ${error.reason}` : ""}`;
  } else message = JSON.stringify(error);
  const detail = error?.graphQLErrors ?? error?.errors ?? (Array.isArray(error) ? error : null);
  emit("error", { message, code: error?.code ?? null, detail });
  process.exit(1);
}

/** Strip the `__typename` fields Apollo and urql add, so every client prints the same. */
export function plain(value) {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== "__typename")
        .map(([key, item]) => [key, plain(item)]),
    );
  }
  return value;
}

// ---- the resume scripts (resume-graphql-ws.mjs, resume-apollo.mjs, resume-urql.mjs) ----
//
//   node clients/resume-<client>.mjs <ws-url>[,<ws-url>...] <token> [--status S] [--after C]
//
// Each keeps a LiveRows (resumable.mjs) current through reconnects, trying the URLs in
// turn (one per connection attempt), and prints one JSON line per step:
// {"type":"subscribe","data":<variables>} each time the helper (re)subscribes,
// {"type":"sent","data":<variables>} for every Subscribe message on the wire,
// {"type":"connected","data":{"url":..}} / {"type":"closed","data":{"code":..}},
// {"type":"event","data":{kind,id,cursor,node}}, {"type":"reset"} on RESUME_EXPIRED.
// Commands on stdin, one a line: `rows` prints {"type":"rows","data":{"rows":{id: node},
// "cursor":..}}; `exit` unsubscribes, closes the client, prints {"type":"done"}, exits 0.

export const TASKS_RESUMABLE = /* GraphQL */ `
  subscription TasksResumable($status: String, $initial: Boolean, $after: String) {
    tasksChanged(status: $status, initial: $initial, after: $after) {
      kind
      id
      cursor
      node {
        id
        title
        status
        projectName
        assigneeDetail {
          username
        }
      }
    }
  }
`;

export function parseResumeArgs(argv = process.argv.slice(2)) {
  const positional = [];
  let status;
  let after = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--status") status = argv[++i];
    else if (argv[i] === "--after") after = argv[++i];
    else positional.push(argv[i]);
  }
  const [urls, token] = positional;
  if (!urls || !token) {
    process.stderr.write(
      "usage: node resume-<client>.mjs <ws-url>[,...] <token> [--status S] [--after C]\n",
    );
    process.exit(2);
  }
  const wsUrls = urls.split(",");
  let attempt = 0;
  return {
    wsUrls,
    /** graphql-ws `url`: one URL per connection attempt, in turn. */
    nextUrl: () => wsUrls[attempt++ % wsUrls.length],
    authorization: `Token ${token}`,
    variables: status ? { status } : {},
    after,
  };
}

/** `ws`, printing the variables of every Subscribe message it sends. */
export class TracingWebSocket extends WebSocket {
  send(data, ...rest) {
    const message = JSON.parse(String(data));
    if (message.type === "subscribe") emit("sent", message.payload.variables ?? {});
    return super.send(data, ...rest);
  }
}

/** Quick reconnects for the tests: 100 ms, 200 ms, ... at most 1 s. */
export const quickRetryWait = (retries) =>
  new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** retries, 1000)));

/** Print the graphql-ws client's connects and closes. */
export function traceConnection(wsClient) {
  wsClient.on("connected", (socket) => emit("connected", { url: socket.url }));
  wsClient.on("closed", (event) => emit("closed", { code: event?.code ?? null }));
}

/** Answer `rows` and `exit` on stdin (see above). */
export function serveCommands({ wsClient, list, stop }) {
  let input = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", async (chunk) => {
    input += chunk;
    let newline;
    while ((newline = input.indexOf("\n")) >= 0) {
      const command = input.slice(0, newline).trim();
      input = input.slice(newline + 1);
      if (command === "rows") {
        emit("rows", { rows: plain(Object.fromEntries(list.rows)), cursor: list.cursor });
      } else if (command === "exit") {
        stop();
        await wsClient.dispose();
        emit("done");
        process.exit(0);
      }
    }
  });
}
