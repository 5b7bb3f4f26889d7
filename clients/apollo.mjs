// `@apollo/client`: an HttpLink (Token header) split with a GraphQLWsLink for
// subscriptions, over a `graphql-ws` client whose connectionParams carry the token, as
// Apollo's documentation sets it up. See common.mjs for arguments and output.
import { ApolloClient, HttpLink, InMemoryCache, gql, split } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

import { TASK_COUNT, TASKS_CHANGED, emit, fail, parseArgs, plain } from "./common.mjs";

const args = parseArgs();
const wsClient = createClient({
  url: args.wsUrl,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: args.authorization },
  retryAttempts: 0,
});

const link = split(
  ({ query }) => {
    const definition = getMainDefinition(query);
    return definition.kind === "OperationDefinition" && definition.operation === "subscription";
  },
  new GraphQLWsLink(wsClient),
  new HttpLink({ uri: args.httpUrl, headers: { Authorization: args.authorization } }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });

const count = await client.query({ query: gql(TASK_COUNT) }).catch(fail);
if (count.error) fail(count.error);
emit("query", plain(count.data));

let received = 0;
const subscription = client
  .subscribe({ query: gql(TASKS_CHANGED), variables: args.variables })
  .subscribe({
    next: async (result) => {
      if (result.error) fail(result.error);
      emit("event", plain(result.data.tasksChanged));
      if (++received >= args.limit) {
        subscription.unsubscribe();
        await wsClient.dispose();
        emit("done");
        process.exit(0);
      }
    },
    error: fail,
    complete: () => fail(new Error("subscription completed by the server")),
  });
