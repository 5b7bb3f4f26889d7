// README.md's Apollo five lines, as they are, in a harness (tests/clients/
// test_live_package.py splices the README's blocks in for the two markers below and
// runs the result): an Apollo client over graphql-ws, the README's <Tasks /> rendered,
// and what it shows read back through readme-serve.mjs.
//
//   node readme-apollo.mjs <http-base-url> <token>
import { ApolloClient, HttpLink, InMemoryCache, gql, split, type TypedDocumentNode } from "@apollo/client";
import { ApolloProvider } from "@apollo/client/react";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";
import TestRenderer from "react-test-renderer";
import WebSocket from "ws";

import { plain, quickRetry, serve } from "./readme-serve.mjs";

// graphql-codegen's types; this harness is not type-checked.
type TasksQuery = any;
type TasksQueryVariables = any;
type TasksChangedSubscription = any;

const [base, token] = process.argv.slice(2);

/* README: documents */

/* README: apollo */

const wsClient = createClient({
  url: `${base.replace(/^http/, "ws")}/graphql/`,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Token ${token}` },
  retryAttempts: Infinity,
  shouldRetry: () => true,
  retryWait: quickRetry,
});
const client = new ApolloClient({
  cache: new InMemoryCache(),
  link: split(
    ({ query }) => getMainDefinition(query).operation === "subscription",
    new GraphQLWsLink(wsClient),
    new HttpLink({ uri: `${base}/graphql/`, headers: { Authorization: `Token ${token}` } }),
  ),
});

let renderer: any;
await TestRenderer.act(async () => {
  renderer = TestRenderer.create(
    <ApolloProvider client={client}>
      <Tasks />
    </ApolloProvider>,
  );
});
const shown = () =>
  (renderer.toJSON()?.children ?? []).map((li: any) => li.children?.join("") ?? "");
while (!shown().length) await new Promise((r) => setTimeout(r, 20));

serve({
  read() {
    const data = client.readQuery({ query: TASKS, variables: { status: "todo" } });
    const rows = plain(data?.tasks.results ?? []);
    // What <Tasks /> rendered is what the cache holds.
    const titles = shown();
    if (JSON.stringify(titles) !== JSON.stringify(rows.map((r: any) => r.title))) return { shown: titles, rows };
    return { count: data?.tasks.count, rows };
  },
  stop: () => TestRenderer.act(() => renderer.unmount()),
});
