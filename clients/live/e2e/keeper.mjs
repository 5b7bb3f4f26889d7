// A live list kept by the package in a real client's cache, against a real server; the
// tests in tests/clients/test_live_package.py drive it (REST writes, server restarts)
// and compare what it holds with the REST list.
//
//   node clients/live/e2e/keeper.mjs <client> <http-base-url> <token>
//        [--status todo] [--ordering -priority,id]
//
// <client>: apollo-ws (InMemoryCache, GraphQLWsLink over a retrying graphql-ws),
// apollo-multipart (InMemoryCache, a plain HttpLink), react (useLiveList over
// apollo-ws, read from what the component rendered), urql-ws (Graphcache,
// subscriptionExchange over a retrying graphql-ws), urql-sse (Graphcache,
// subscriptionExchange over graphql-sse), urql-core (plain @urql/core, liveQuery).
//
// Prints one JSON line per step: {"type":"subscribe","data":<variables>} for each
// (re)subscription, {"type":"event","data":{kind,id}}, {"type":"ready"} once the list is
// live, {"type":"error",...} (and exits 1) for an error that ends it. Commands on stdin:
// `list` prints {"type":"list","data":{"count":..,"rows":[...]}} (what the cache holds),
// `exit` stops, prints {"type":"done"} and exits 0.

import { ApolloClient, HttpLink, InMemoryCache, gql, split } from "@apollo/client";
import { ApolloProvider } from "@apollo/client/react";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { Client, fetchExchange, subscriptionExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { liveList } from "@drf-graphql-live/client/apollo";
import { useLiveList } from "@drf-graphql-live/client/react";
import { liveQuery, liveSubscription, liveUpdates } from "@drf-graphql-live/client/urql";
import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import { createElement } from "react";
import TestRenderer from "react-test-renderer";
import WebSocket from "ws";

const TASKS = /* GraphQL */ `
  query LiveTasks($status: String, $ordering: String) {
    tasks(status: $status, ordering: $ordering, limit: 500) {
      count
      results { id title status priority projectName }
      next
      previous
    }
  }
`;
const TASKS_CHANGED = /* GraphQL */ `
  subscription LiveTasksChanged(
    $status: String, $ordering: String, $initial: Boolean, $after: String
  ) {
    tasksChanged(status: $status, ordering: $ordering, initial: $initial, after: $after) {
      kind id cursor
      node { id title status priority projectName }
    }
  }
`;

const emit = (type, data) =>
  process.stdout.write(JSON.stringify(data === undefined ? { type } : { type, data }) + "\n");
const fail = (error) => {
  const message = error instanceof Error ? error.message : JSON.stringify(error);
  emit("error", { message });
  process.exit(1);
};

function parseArgs(argv) {
  const [kind, base, token, ...rest] = argv;
  const variables = {};
  for (let i = 0; i < rest.length; i += 2) variables[rest[i].replace(/^--/, "")] = rest[i + 1];
  return { kind, http: `${base}/graphql/`, ws: `${base.replace(/^http/, "ws")}/graphql/`, token, variables };
}

const args = parseArgs(process.argv.slice(2));
const authorization = `Token ${args.token}`;
/** Quick reconnects for the tests: 100 ms, 200 ms, ... at most 1 s. */
const retryWait = (retries) => new Promise((r) => setTimeout(r, Math.min(100 * 2 ** retries, 1000)));
const hooks = {
  retryWait,
  onSubscribe: (variables) => emit("subscribe", variables),
  onEvent: (event) => emit("event", { kind: event.kind, id: event.id }),
  onError: fail,
};

function retryingWsClient() {
  return createWsClient({
    url: args.ws,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: authorization },
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait,
  });
}

const plain = (value) => JSON.parse(JSON.stringify(value, (k, v) => (k === "__typename" ? undefined : v)));

/** Each kind: start keeping the list; return { read(): page, stop() }. */
const KINDS = {
  async "apollo-ws"() {
    const wsClient = retryingWsClient();
    const client = new ApolloClient({
      link: split(
        ({ query }) => getMainDefinition(query).operation === "subscription",
        new GraphQLWsLink(wsClient),
        new HttpLink({ uri: args.http, headers: { Authorization: authorization } }),
      ),
      cache: new InMemoryCache(),
    });
    return apollo(client); // the helper finds wsClient under the GraphQLWsLink
  },

  async "apollo-multipart"() {
    const client = new ApolloClient({
      link: new HttpLink({ uri: args.http, headers: { Authorization: authorization } }),
      cache: new InMemoryCache(),
    });
    return apollo(client);
  },

  async react() {
    const wsClient = retryingWsClient();
    const client = new ApolloClient({
      link: split(
        ({ query }) => getMainDefinition(query).operation === "subscription",
        new GraphQLWsLink(wsClient),
        new HttpLink({ uri: args.http, headers: { Authorization: authorization } }),
      ),
      cache: new InMemoryCache(),
    });
    const query = gql(TASKS);
    const subscription = gql(TASKS_CHANGED);
    let rendered = null;
    function Tasks() {
      const { data, error } = useLiveList(query, {
        subscription, variables: args.variables, ...hooks, // wsClient found in client.link
      });
      if (error) fail(error);
      rendered = data?.tasks ?? null;
      return null;
    }
    let renderer;
    await TestRenderer.act(async () => {
      renderer = TestRenderer.create(createElement(ApolloProvider, { client }, createElement(Tasks)));
    });
    while (!rendered) await new Promise((r) => setTimeout(r, 20));
    return {
      read: () => rendered,
      stop: () => TestRenderer.act(() => renderer.unmount()),
    };
  },

  async "urql-ws"() {
    const wsClient = retryingWsClient();
    return urql(
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: wsClient.subscribe({ ...request, query: request.query || "" }, sink),
          }),
        }),
      }),
      { wsClient },
    );
  },

  async "urql-sse"() {
    // retryAttempts: 0: the helper retries, with `after:` (graphql-sse would resend the
    // first variables).
    const sse = createSseClient({ url: args.http, headers: { Authorization: authorization }, retryAttempts: 0 });
    return urql(
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: sse.subscribe({ ...request, query: request.query || "" }, sink),
          }),
        }),
      }),
      {},
    );
  },

  async "urql-core"() {
    const wsClient = retryingWsClient();
    const client = new Client({
      url: args.http,
      fetchOptions: { headers: { Authorization: authorization } },
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
    const live = liveQuery(client, {
      query: TASKS, subscription: TASKS_CHANGED, variables: args.variables, wsClient, ...hooks,
    });
    await live.ready;
    return { read: () => live.data?.tasks, stop: () => live.stop() };
  },
};

async function apollo(client) {
  const query = gql(TASKS);
  const live = liveList(client, {
    query, subscription: gql(TASKS_CHANGED), variables: args.variables, ...hooks,
  });
  await live.ready;
  return {
    read: () => client.readQuery({ query, variables: args.variables })?.tasks,
    stop: () => live.stop(),
  };
}

async function urql(transport, { wsClient }) {
  const client = new Client({
    url: args.http,
    fetchOptions: { headers: { Authorization: authorization } },
    exchanges: [
      cacheExchange({
        keys: { TaskPage: () => null, TaskEvent: () => null },
        updates: { Subscription: liveUpdates({ tasksChanged: TASKS }) },
      }),
      fetchExchange,
      transport,
    ],
  });
  const live = liveSubscription(client, {
    subscription: TASKS_CHANGED, query: TASKS, variables: args.variables, wsClient, ...hooks,
  });
  await live.ready;
  return {
    read: () => client.readQuery(TASKS, args.variables)?.data?.tasks,
    stop: () => live.stop(),
  };
}

if (!KINDS[args.kind]) fail(new Error(`unknown client ${args.kind}: ${Object.keys(KINDS)}`));
const kept = await KINDS[args.kind]().catch(fail);
emit("ready");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", async (chunk) => {
  input += chunk;
  let newline;
  while ((newline = input.indexOf("\n")) >= 0) {
    const command = input.slice(0, newline).trim();
    input = input.slice(newline + 1);
    if (command === "list") {
      const page = kept.read();
      emit("list", page ? { count: page.count, rows: plain(page.results) } : null);
    } else if (command === "exit") {
      await kept.stop();
      emit("done");
      process.exit(0);
    }
  }
});
