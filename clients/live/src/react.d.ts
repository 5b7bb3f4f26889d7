// Types of react.js: useLiveList, Apollo's useQuery kept live.
import type {
  ApolloClient,
  DocumentNode,
  OperationVariables,
  TypedDocumentNode,
} from "@apollo/client";
import type { useQuery } from "@apollo/client/react";

import type { LiveListOptions } from "./apollo.js";

export interface UseLiveListOptions<Data, Variables extends OperationVariables>
  extends Omit<LiveListOptions<Data, Variables>, "query"> {
  skip?: boolean;
  client?: ApolloClient;
}

export declare function useLiveList<
  Data = any,
  Variables extends OperationVariables = OperationVariables,
>(
  query: DocumentNode | TypedDocumentNode<Data, Variables>,
  options: UseLiveListOptions<Data, Variables>,
): useQuery.Result<Data, Variables, "empty" | "complete" | "streaming">;
