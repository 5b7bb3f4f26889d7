// Types of live.js: a `*Changed` subscription kept alive, resuming with `after:`.

export declare const RESUME_EXPIRED = "RESUME_EXPIRED";

export interface GraphQLErrorLike {
  message: string;
  extensions?: { code?: unknown } & Record<string, unknown>;
}

/** The graphql-ws / graphql-sse sink: `next` takes the GraphQL result. */
export interface LiveSink<Data> {
  next(result: { data?: Data | null; errors?: readonly GraphQLErrorLike[] }): void;
  error(error: unknown): void;
  complete(): void;
}

/** What the helper adds to the variables: one of the two. */
export type ResumeVariables = {
  initial?: boolean;
  after?: string;
};

/** A graphql-ws client's `on` (the helper listens to `connected` and `closed`). */
export interface ConnectionEvents {
  on(event: "connected" | "closed", listener: (...args: never[]) => void): () => void;
}

export interface RetryOptions {
  /** Wait before retry number `retries` (0, 1, ...); default 0.5 s doubling to 10 s. */
  retryWait?: (retries: number) => Promise<unknown> | unknown;
  /** Whether a transport error is worth a retry; default: all but 44xx refusals. */
  shouldRetry?: (error: unknown) => boolean;
}

export interface LiveSubscriptionOptions<
  Data,
  Field extends keyof Data & string = keyof Data & string,
  Variables extends object = Record<string, unknown>,
> extends RetryOptions {
  subscribe(variables: Variables & ResumeVariables, sink: LiveSink<Data>): () => void;
  /** The subscription field ("tasksChanged"); default: the result's only field. */
  field?: Field;
  /** Its other variables (the filters). */
  variables?: Variables;
  /** Resume from this cursor instead of `initial: true`. */
  cursor?: string | null;
  /** A graphql-ws client that reconnects by itself. */
  wsClient?: ConnectionEvents;
  onEvent(event: NonNullable<Data[Field]>): void;
  /** RESUME_EXPIRED: refetch the list; `initial: true` follows when it settles. */
  onExpired?(): unknown;
  onCursor?(cursor: string | null): void;
  onSubscribe?(variables: Variables & ResumeVariables): void;
  onError?(error: unknown): void;
}

export interface LiveSubscription {
  /** The cursor of the last event applied. */
  readonly cursor: string | null;
  /** Subscribe again now, `after:` the last cursor. */
  restart(): void;
  stop(): void;
}

export declare function liveSubscription<
  Data,
  Field extends keyof Data & string = keyof Data & string,
  Variables extends object = Record<string, unknown>,
>(options: LiveSubscriptionOptions<Data, Field, Variables>): LiveSubscription;

export declare function isResumeExpired(errors?: readonly GraphQLErrorLike[] | null): boolean;
export declare function defaultShouldRetry(error: unknown): boolean;
export declare function defaultRetryWait(retries: number): Promise<void>;
