// Types of list.js: applying one subscription event to a list.

export type ChangeKind = "ADDED" | "MODIFIED" | "REMOVED";

/** What the helpers read of an event: `kind`, `id`, `cursor` and `node`. */
export interface LiveEvent<Node = unknown> {
  kind: ChangeKind;
  id: string | number;
  cursor?: string;
  node?: Node | null;
}

/** A DRF page as the schema types it (`TaskPage { count results next previous }`). */
export interface Page<Row = unknown> {
  count?: number | null;
  results: Row[];
  next?: string | null;
  previous?: string | null;
}

/** A list: an array of rows, or a page. */
export type LiveListValue<Row = unknown> = readonly Row[] | Page<Row>;

/** The row type of a list. */
export type RowOf<List> = List extends readonly (infer Row)[]
  ? Row
  : List extends { results: readonly (infer Row)[] }
    ? Row
    : never;

/** DRF ordering: "-priority,due_date" or ["-priority", "due_date"]. */
export type Ordering = string | readonly string[];

export interface ListOptions<Row = any> {
  /** Where rows go: DRF ordering (snake_case names read camelCase fields). */
  ordering?: Ordering | null;
  /** A compare function instead of `ordering`. */
  compare?: ((a: Row, b: Row) => number) | null;
  /** A row's id (default `row.id`), compared with the event's `id` as a string. */
  idOf?: (row: Row) => string | number;
}

export interface SortKey {
  path: string[];
  descending: boolean;
}

export declare function parseOrdering(ordering: Ordering | null | undefined): SortKey[];
export declare function compareValues(a: unknown, b: unknown): number;
export declare function compareByOrdering<Row = any>(
  ordering: Ordering | null | undefined,
): ((a: Row, b: Row) => number) | null;
export declare function isPage(value: unknown): value is Page;
export declare function rowsOf<List extends LiveListValue>(list: List): RowOf<List>[];

/** Apply one event; returns a new list of the same shape (the input itself if unchanged). */
export declare function applyEvent<List extends LiveListValue<any>>(
  list: List,
  event: LiveEvent<unknown>,
  options?: ListOptions<RowOf<List>>,
): List;

/** Apply one event to the list at `data[key]`. */
export declare function applyToData<Data>(
  data: Data,
  key: string,
  event: LiveEvent<unknown>,
  options?: ListOptions,
): Data;

/** A list kept in memory: events applied, a query's answer merged with `load`. */
export declare class LiveList<Row = unknown, Value extends LiveListValue<Row> = Row[]> {
  constructor(options?: ListOptions<Row> & { value?: Value });
  value: Value;
  readonly rows: Row[];
  readonly touched: Map<string, number>;
  apply(event: LiveEvent<unknown>): Value;
  /** A mark to pass to `load()`: events after it are newer than a query sent now. */
  mark(): number;
  /** Merge a query's answer; rows touched by events after `since` keep their state. */
  load(snapshot: Value, since?: number): Value;
  reset(value?: Value): Value;
}
