// `@apollo/client` with nothing but an HttpLink (Token header): Apollo sends the
// subscription over HTTP with `Accept: multipart/mixed;subscriptionSpec=1.0` and reads
// the multipart parts, with no WebSocket link at all. See common.mjs for arguments and
// output.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";

import { TASK_COUNT, TASKS_CHANGED, emit, fail, parseArgs, plain } from "./common.mjs";

const args = parseArgs();
const client = new ApolloClient({
  link: new HttpLink({ uri: args.httpUrl, headers: { Authorization: args.authorization } }),
  cache: new InMemoryCache(),
});

const count = await client.query({ query: gql(TASK_COUNT) }).catch(fail);
if (count.error) fail(count.error);
emit("query", plain(count.data));

let received = 0;
const subscription = client
  .subscribe({ query: gql(TASKS_CHANGED), variables: args.variables })
  .subscribe({
    next: (result) => {
      if (result.error) fail(result.error);
      emit("event", plain(result.data.tasksChanged));
      if (++received >= args.limit) {
        subscription.unsubscribe();
        emit("done");
        process.exit(0);
      }
    },
    error: fail,
    complete: () => fail(new Error("subscription completed by the server")),
  });
