// Types of transports.js.
import type { ConnectionEvents, LiveSink } from "./live.js";

/** A document typed by graphql-codegen (TypedDocumentNode), or a string. */
export type SubscriptionDocument<Data = any> =
  | string
  | { readonly kind: "Document"; loc?: { source: { body: string } }; __apiType?: (variables: any) => Data }
  | (String & { __apiType?: (variables: any) => Data });

export declare function sourceOf(query: SubscriptionDocument): string;

export interface Transport<Data> {
  subscribe(variables: Record<string, unknown>, sink: LiveSink<Data>): () => void;
}

interface SubscribingClient {
  subscribe(
    payload: { query: string; variables?: Record<string, unknown> | null },
    sink: LiveSink<any>,
  ): () => void;
}

export declare function fromGraphQLWs<Data = any>(
  wsClient: SubscribingClient & ConnectionEvents,
  query: SubscriptionDocument<Data>,
): Transport<Data> & { wsClient: ConnectionEvents };

export declare function fromGraphQLSse<Data = any>(
  sseClient: SubscribingClient,
  query: SubscriptionDocument<Data>,
): Transport<Data>;
