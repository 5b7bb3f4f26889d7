// README.md's urql five lines, as they are, in a harness (see readme-apollo.tsx): a
// urql client over graphql-ws whose HTTP requests carry the token (as a browser's
// session cookie would), the list read back with client.query().
//
//   node readme-urql.mjs <http-base-url> <token>
import { Client, fetchExchange, gql, subscriptionExchange } from "@urql/core";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

import { plain, quickRetry, serve } from "./readme-serve.mjs";

type TypedDocumentNode<Data = any, Variables = any> = any;
type TasksQuery = any;
type TasksQueryVariables = any;
type TasksChangedSubscription = any;

const [base, token] = process.argv.slice(2);
const url = `${base}/graphql/`;
const fetchWithToken = globalThis.fetch;
globalThis.fetch = (input: any, init: any = {}) =>
  fetchWithToken(input, { ...init, headers: { ...init.headers, Authorization: `Token ${token}` } });
const wsClient = createClient({
  url: url.replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Token ${token}` },
  retryAttempts: Infinity,
  shouldRetry: () => true,
  retryWait: quickRetry,
});
const forwardSubscription = (request: any) => ({
  subscribe: (sink: any) => ({
    unsubscribe: wsClient.subscribe({ ...request, query: request.query || "" }, sink),
  }),
});

/* README: documents */

/* README: urql */

let latest: any = null;
client.query(TASKS, { status: "todo" }).subscribe(({ data }: any) => {
  if (data) latest = data;
});
while (!latest) await new Promise((r) => setTimeout(r, 20));
serve({ read: () => ({ count: latest.tasks.count, rows: plain(latest.tasks.results) }) });
