// Types of urql.js: Graphcache `updates`, and plain @urql/core.
import type { AnyVariables, Client, DocumentInput, OperationContext } from "@urql/core";
import type { UpdateResolver } from "@urql/exchange-graphcache";

import type { LiveEvent, ListOptions } from "./list.js";
import type { ConnectionEvents, LiveSink, RetryOptions } from "./live.js";

/** One list a subscription field updates. */
export interface LiveListSpec extends ListOptions {
  query: DocumentInput<any, any>;
  /** The query's variables: an object, or made from the subscription's arguments. */
  variables?: Record<string, unknown> | ((args: Record<string, unknown>) => Record<string, unknown>);
  /** The list's field in the query's data, when the query has several root fields. */
  field?: string;
}

/** Graphcache `updates.Subscription`: `{ tasksChanged: TasksDocument }`. */
export declare function liveUpdates(
  lists: Record<string, DocumentInput<any, any> | LiveListSpec | Array<DocumentInput<any, any> | LiveListSpec>>,
): Record<string, UpdateResolver>;

export interface UrqlLiveOptions<Variables extends AnyVariables = AnyVariables> extends RetryOptions {
  subscription: DocumentInput<any, any>;
  variables?: Variables;
  subscriptionVariables?: Record<string, unknown>;
  /** The graphql-ws client under subscriptionExchange, when it reconnects by itself. */
  wsClient?: ConnectionEvents;
  cursor?: string | null;
  context?: Partial<OperationContext>;
  onEvent?(event: LiveEvent<unknown>): void;
  onCursor?(cursor: string | null): void;
  onError?(error: unknown): void;
  onSubscribe?(variables: Record<string, unknown>): void;
}

export interface UrqlLiveHandle {
  ready: Promise<void>;
  readonly cursor: string | null;
  stop(): void;
}

/** Run the subscription for Graphcache; refetch `query` (and `queries`) on RESUME_EXPIRED. */
export declare function liveSubscription<Variables extends AnyVariables = AnyVariables>(
  client: Client,
  options: UrqlLiveOptions<Variables> & {
    query?: DocumentInput<any, any>;
    queries?: Array<{ query: DocumentInput<any, any>; variables?: AnyVariables }>;
  },
): UrqlLiveHandle;

/** Plain @urql/core: the query's data with every event applied, to `onData`. */
export declare function liveQuery<Data = any, Variables extends AnyVariables = AnyVariables>(
  client: Client,
  options: UrqlLiveOptions<Variables> &
    ListOptions & {
      query: DocumentInput<Data, Variables>;
      field?: string;
      onData?(data: Data): void;
    },
): UrqlLiveHandle & { readonly data: Data | null };

/** `subscribe(variables, sink)` through `client.subscription`, for liveSubscription(). */
export declare function urqlSubscribe(
  client: Client,
  subscription: DocumentInput<any, any>,
  context?: Partial<OperationContext>,
): (variables: Record<string, unknown>, sink: LiveSink<any>) => () => void;
