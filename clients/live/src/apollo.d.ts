// Types of apollo.js: Apollo Client 4.
import type {
  ApolloCache,
  ApolloClient,
  DocumentNode,
  OperationVariables,
  TypedDocumentNode,
} from "@apollo/client";

import type { LiveEvent, ListOptions } from "./list.js";
import type { ConnectionEvents, LiveSink, RetryOptions } from "./live.js";

export { applyEvent } from "./list.js";

export interface LiveListOptions<
  Data = any,
  Variables extends OperationVariables = OperationVariables,
  SubscriptionData = any,
> extends ListOptions,
    RetryOptions {
  /** The list query: `tasks(status: $status, ordering: "id") { count results {...} }`. */
  query: DocumentNode | TypedDocumentNode<Data, Variables>;
  /** Its `*Changed` subscription, taking `$initial: Boolean` and `$after: String`. */
  subscription: DocumentNode | TypedDocumentNode<SubscriptionData, any>;
  variables?: Variables;
  /** The list's field in the query's data, when the query has several root fields. */
  field?: string;
  /** Default: the variables the subscription declares, taken from `variables`. */
  subscriptionVariables?: Record<string, unknown>;
  /** The graphql-ws client under the GraphQLWsLink; default: found in `client.link`. */
  wsClient?: ConnectionEvents;
  /** Resume from this cursor (default: the last one this cache applied, else initial). */
  cursor?: string | null;
  /** Apollo context for the subscription. */
  context?: Record<string, unknown>;
  onEvent?(event: LiveEvent<unknown>): void;
  onError?(error: unknown): void;
  onSubscribe?(variables: Record<string, unknown>): void;
}

export interface LiveListHandle {
  /** Resolves once the query is in the cache and the subscription started. */
  ready: Promise<void>;
  readonly cursor: string | null;
  stop(): void;
}

/** Keep `query` live in the client's cache from `subscription`, resuming with `after:`. */
export declare function liveList<
  Data = any,
  Variables extends OperationVariables = OperationVariables,
>(client: ApolloClient, options: LiveListOptions<Data, Variables>): LiveListHandle;

/** Write one event into the cached list (and the node into its entity). */
export declare function writeEvent(
  cache: ApolloCache,
  target: Pick<LiveListOptions, "query" | "variables" | "subscription" | "field"> & ListOptions,
  event: LiveEvent<unknown>,
): void;

/** The graphql-ws client under a GraphQLWsLink in `link` (split/concat walked). */
export declare function findWsClient(link: unknown): ConnectionEvents | undefined;

/** An `updateQuery` for `subscribeToMore` (no resume). */
export declare function liveUpdateQuery<Data = any>(
  options?: ListOptions & { field?: string },
): (previous: Data, options: { subscriptionData: { data?: unknown } }) => Data;

/** `subscribe(variables, sink)` through `client.subscribe`, for liveSubscription(). */
export declare function apolloSubscribe(
  client: ApolloClient,
  subscription: DocumentNode | string,
  options?: { context?: Record<string, unknown> },
): (variables: Record<string, unknown>, sink: LiveSink<any>) => () => void;
