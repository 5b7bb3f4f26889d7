// Compiled by `tsc -p test` (never run): the declarations fit real client types, typed
// documents (as graphql-codegen writes them) included.
import { ApolloClient, HttpLink, InMemoryCache, type TypedDocumentNode } from "@apollo/client";
import { Client, fetchExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { createClient as createWsClient } from "graphql-ws";
import { createClient as createSseClient } from "graphql-sse";
import { parse } from "graphql";

import {
  LiveList,
  applyEvent,
  fromGraphQLSse,
  fromGraphQLWs,
  liveSubscription,
  type LiveEvent,
  type Page,
} from "@drf-graphql-live/client";
import { liveList, liveUpdateQuery } from "@drf-graphql-live/client/apollo";
import { useLiveList } from "@drf-graphql-live/client/react";
import { liveQuery, liveSubscription as urqlLive, liveUpdates } from "@drf-graphql-live/client/urql";

type Task = { __typename?: "Task"; id: number; title: string };
type TasksQuery = { tasks: { count?: number | null; results: Task[]; next?: string | null; previous?: string | null } };
type TasksQueryVariables = { status?: string | null };
type TasksChangedSubscription = {
  tasksChanged: { kind: "ADDED" | "MODIFIED" | "REMOVED"; id: string; cursor: string; node?: Task | null };
};

const TasksDocument = parse("query ($status: String) { tasks(status: $status) { count results { id title } } }") as TypedDocumentNode<TasksQuery, TasksQueryVariables>;
const TasksChangedDocument = parse("subscription ($initial: Boolean, $after: String) { tasksChanged(initial: $initial, after: $after) { kind id cursor node { id title } } }") as TypedDocumentNode<TasksChangedSubscription, { initial?: boolean | null; after?: string | null }>;

// The reducer keeps the list's type.
const page: TasksQuery["tasks"] = { count: 0, results: [] };
const event: TasksChangedSubscription["tasksChanged"] = { kind: "ADDED", id: "1", cursor: "c", node: { id: 1, title: "x" } };
const next: TasksQuery["tasks"] = applyEvent(page, event, { ordering: "-id", idOf: (row) => row.id });
const rows: Task[] = applyEvent([] as Task[], event);
const generic: Page<Task> = applyEvent({ results: rows }, event as LiveEvent);
void next;
void generic;

// Core, with graphql-ws and graphql-sse.
const wsClient = createWsClient({ url: "ws://127.0.0.1:8000/graphql/", retryAttempts: Infinity });
const list = new LiveList<Task>({ ordering: "id" });
const live = liveSubscription<TasksChangedSubscription>({
  ...fromGraphQLWs<TasksChangedSubscription>(wsClient, TasksChangedDocument),
  onEvent: (e) => list.apply(e),
  onExpired: async () => list.load([]),
});
live.stop();
const sse = createSseClient({ url: "http://127.0.0.1:8000/graphql/", retryAttempts: 0 });
liveSubscription<TasksChangedSubscription>({
  ...fromGraphQLSse<TasksChangedSubscription>(sse, TasksChangedDocument),
  onEvent: (e) => list.apply(e),
});
liveSubscription<TasksChangedSubscription, "tasksChanged", { status: string }>({
  field: "tasksChanged",
  variables: { status: "todo" },
  subscribe: (variables, sink) => wsClient.subscribe({ query: "...", variables }, sink),
  onEvent: (e) => void e.cursor,
});

// Apollo.
const apollo = new ApolloClient({ link: new HttpLink({ uri: "/graphql/" }), cache: new InMemoryCache() });
const handle = liveList(apollo, { query: TasksDocument, subscription: TasksChangedDocument, variables: { status: "todo" }, wsClient });
void handle.ready.then(() => handle.stop());
liveUpdateQuery<TasksQuery>({ ordering: "id" });
export function Tasks(): number {
  const { data } = useLiveList(TasksDocument, { subscription: TasksChangedDocument, variables: { status: "todo" } });
  const tasks: Task[] | undefined = data?.tasks.results;
  return tasks?.length ?? 0;
}

// urql.
const urql = new Client({
  url: "/graphql/",
  exchanges: [cacheExchange({ updates: { Subscription: liveUpdates({ tasksChanged: TasksDocument }) } }), fetchExchange],
});
urqlLive(urql, { subscription: TasksChangedDocument, query: TasksDocument, variables: { status: "todo" } }).stop();
const plain = liveQuery(urql, { query: TasksDocument, subscription: TasksChangedDocument, onData: (d) => void d.tasks.count });
const data: TasksQuery | null = plain.data;
void data;
