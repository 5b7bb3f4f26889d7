// Types of resumable.mjs, for TypeScript callers (the live board page).

export declare const RESUME_EXPIRED = "RESUME_EXPIRED";

/** The part of an event the helper reads: `kind`, `id`, `cursor` and `node`. */
export interface ResumableEvent<Node = unknown> {
  kind: string;
  id: string | number;
  cursor: string;
  node?: Node | null;
}

export type ResumeVariables<Base> = Base & { initial?: boolean; after?: string };

export declare class LiveRows<Node = unknown> {
  constructor(cursor?: string | null);
  rows: Map<string, Node>;
  cursor: string | null;
  variables<Base extends object>(base?: Base): ResumeVariables<Base>;
  apply(event: ResumableEvent<Node>): void;
  reset(): void;
}

export interface GraphQLErrorLike {
  message: string;
  extensions?: { code?: unknown } & Record<string, unknown>;
}

/** The graphql-ws sink shape: `next` takes the raw GraphQL result. */
export interface ResumeSink<Data> {
  next(result: { data?: Data | null; errors?: readonly GraphQLErrorLike[] }): void;
  error(error: unknown): void;
  complete(): void;
}

export declare function isResumeExpired(errors?: readonly GraphQLErrorLike[] | null): boolean;

/** The graphql-ws client's events the helper listens to. */
export interface ConnectionEvents {
  on(event: "connected" | "closed", listener: (...args: never[]) => void): () => void;
}

export declare function resumable<
  Data extends Record<string, ResumableEvent<Node>>,
  Node = NonNullable<Data[keyof Data]["node"]>,
  Base extends object = Record<never, never>,
>(options: {
  wsClient: ConnectionEvents;
  subscribe: (variables: ResumeVariables<Base>, sink: ResumeSink<Data>) => () => void;
  field: keyof Data & string;
  list?: LiveRows<Node>;
  variables?: Base;
  onEvent?: (event: Data[keyof Data], list: LiveRows<Node>) => void;
  onReset?: (list: LiveRows<Node>) => void;
  onSubscribe?: (variables: ResumeVariables<Base>) => void;
  onError?: (error: unknown) => void;
}): () => void;
