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
// {"type":"error",...} and exits 1.

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
