// Applying one subscription event to a list: the pure part of the package.
//
//   applyEvent(rows, { kind: "ADDED", id: "7", node: {...} }, { ordering: "-priority,id" })
//   applyEvent(page, event, options)   // page: { count, results, next, previous }
//
// ADDED and MODIFIED upsert the node (merged into the row the list had, so fields the
// list selected and the subscription did not are kept), REMOVED deletes the row. The
// result is a new list (or page); the input is never mutated, and an event that changes
// nothing returns the input itself.
//
// Where the row goes: with an ordering (DRF's `?ordering=` string, "-due_date,id", or a
// compare function) at its sorted place, moved when a MODIFIED changes a sort key;
// without one, a row keeps its place and a new row goes last.
//
// A page that is the whole list (`next` and `previous` null) keeps `count` equal to its
// rows. A page of a longer list keeps its own rows current and adjusts `count` for the
// rows on other pages; it does not pull rows in from neighbouring pages (refetch for that).

/** The key of a row: `String(row.id)`, or `options.idOf(row)`. */
function keyOf(row, options) {
  return String(options.idOf ? options.idOf(row) : row.id);
}

/** snake_case to camelCase: DRF ordering names the model field, GraphQL the camelCase. */
function camel(name) {
  return name.replace(/_([a-z0-9])/g, (_, letter) => letter.toUpperCase());
}

/** Parse "-priority,due_date" (or ["-priority", "due_date"]) into sort keys. */
export function parseOrdering(ordering) {
  const terms = Array.isArray(ordering) ? ordering : String(ordering ?? "").split(",");
  return terms
    .map((term) => term.trim())
    .filter(Boolean)
    .map((term) => {
      const descending = term.startsWith("-");
      const name = term.replace(/^[-+]/, "");
      return { path: name.split("__").map(camel), descending };
    });
}

const ISO_DATETIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(.*)$/;

/** ISO datetimes with and without fractions ("…:05Z" and "…:05.25Z") sort as times. */
function sortable(value) {
  if (typeof value !== "string") return value;
  const match = ISO_DATETIME.exec(value);
  if (!match) return value;
  return match[1] + (match[2] ?? ".").padEnd(7, "0") + match[3];
}

/**
 * Compare two field values as PostgreSQL does under a C collation: numbers and booleans
 * by value, strings by code unit, null after everything (ascending; first descending).
 */
export function compareValues(a, b) {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) return aNull === bNull ? 0 : aNull ? 1 : -1;
  const x = sortable(a);
  const y = sortable(b);
  if (typeof x === "number" && typeof y === "number") return x - y;
  if (x < y) return -1;
  return x > y ? 1 : 0;
}

function valueAt(row, path) {
  let value = row;
  for (const name of path) value = value?.[name];
  return value;
}

/**
 * A compare function for a DRF ordering ("-priority,id"): each term's field read from the
 * row (snake_case model names become camelCase, "assignee__username" reads
 * `row.assignee.username`). Null for no ordering.
 */
export function compareByOrdering(ordering) {
  const keys = parseOrdering(ordering);
  if (!keys.length) return null;
  return (a, b) => {
    for (const { path, descending } of keys) {
      const result = compareValues(valueAt(a, path), valueAt(b, path));
      if (result) return descending ? -result : result;
    }
    return 0;
  };
}

/** The compare function the options ask for: `compare`, else `ordering`, else none. */
export function comparatorOf(options = {}) {
  return options.compare ?? compareByOrdering(options.ordering);
}

/** Index where `row` goes among sorted `rows` (after rows that compare equal). */
function sortedIndex(rows, row, compare) {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (compare(rows[middle], row) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Apply `event` to `rows`. `bounds` says whether rows exist past either end (a page of a
 * longer list). Returns the new rows and the change of the list's total count.
 */
function applyToRows(rows, event, options, bounds) {
  const id = String(event.id);
  const index = rows.findIndex((row) => keyOf(row, options) === id);
  const whole = !bounds.before && !bounds.after;
  if (event.kind === "REMOVED" || event.node == null) {
    if (index < 0) return { rows, delta: whole ? 0 : -1 };
    return { rows: rows.filter((_, i) => i !== index), delta: -1 };
  }
  const node = index < 0 ? event.node : { ...rows[index], ...event.node };
  const others = index < 0 ? rows : rows.filter((_, i) => i !== index);
  const compare = comparatorOf(options);
  // A row new to a page counts towards the total if the list gained it (ADDED), or
  // if this page is the whole list (a MODIFIED for a row it lacked: it is in the list).
  const gained = index < 0 && (whole || event.kind === "ADDED") ? 1 : 0;
  let at;
  if (compare) {
    at = sortedIndex(others, node, compare);
    const beforeFirst = bounds.before && at === 0;
    const afterLast = bounds.after && at === others.length;
    if (others.length && (beforeFirst || afterLast)) {
      return { rows: others, delta: gained }; // its place is on another page
    }
  } else if (index >= 0) {
    at = index;
  } else {
    if (bounds.after) return { rows, delta: gained }; // unordered: new rows go last
    at = others.length;
  }
  return { rows: [...others.slice(0, at), node, ...others.slice(at)], delta: gained };
}

/** True for a `{ results: [...] }` page (DRF's paginated list type). */
export function isPage(value) {
  return value !== null && typeof value === "object" && Array.isArray(value.results);
}

/**
 * Apply one event to a list: an array of rows, or a page `{ count, results, next,
 * previous }`. Options: `ordering` (DRF ordering string or list of terms), `compare`
 * (a compare function of two rows, instead of `ordering`), `idOf` (a row's id; default
 * `row.id`). Returns the new list; the input is not mutated.
 */
export function applyEvent(list, event, options = {}) {
  if (Array.isArray(list)) return applyToRows(list, event, options, {}).rows;
  if (!isPage(list)) throw new TypeError("applyEvent: a list is an array or a { results } page");
  const bounds = { before: list.previous != null, after: list.next != null };
  const { rows, delta } = applyToRows(list.results, event, options, bounds);
  if (rows === list.results && !delta) return list;
  const page = { ...list, results: rows };
  if (typeof list.count === "number") {
    page.count = Math.max(rows.length, list.count + delta);
  }
  return page;
}

/** The rows of a list (an array, or a page's `results`). */
export function rowsOf(list) {
  return Array.isArray(list) ? list : (list?.results ?? []);
}

/** The same list with other rows (a page keeps its count in step when it is whole). */
export function withRows(list, rows) {
  if (Array.isArray(list)) return rows;
  const page = { ...list, results: rows };
  const whole = list.next == null && list.previous == null;
  if (typeof list.count === "number" && whole) page.count = rows.length;
  return page;
}

/**
 * A list kept in memory (for pages that render it themselves): events applied in
 * order, and a query's answer merged without undoing events that came meanwhile.
 *
 *   const list = new LiveList({ ordering: "id" });
 *   const mark = list.mark();                // before sending the query
 *   list.load((await fetchTasks()).results, mark);
 *   list.apply(event);                       // from the subscription, any time
 */
export class LiveList {
  constructor({ value = [], ...options } = {}) {
    /** The list: an array of rows, or a page `{ count, results, next, previous }`. */
    this.value = value;
    this.options = options;
    this.sequence = 0;
    /** id -> the sequence number of the last event applied to it. */
    this.touched = new Map();
  }

  get rows() {
    return rowsOf(this.value);
  }

  apply(event) {
    this.touched.set(String(event.id), ++this.sequence);
    this.value = applyEvent(this.value, event, this.options);
    return this.value;
  }

  /** A mark to pass to `load()`: events applied after it are newer than a query sent now. */
  mark() {
    return this.sequence;
  }

  /**
   * Take a query's answer (`snapshot`: rows or a page). Rows an event touched after
   * `since` keep what the events made of them (present or removed): they are newer.
   */
  load(snapshot, since = this.sequence) {
    const fresh = (id) => (this.touched.get(id) ?? 0) <= since;
    const current = new Map(this.rows.map((row) => [keyOf(row, this.options), row]));
    const taken = new Set();
    const rows = [];
    for (const row of rowsOf(snapshot)) {
      const id = keyOf(row, this.options);
      taken.add(id);
      if (fresh(id)) rows.push(row);
      else if (current.has(id)) rows.push(current.get(id));
    }
    for (const [id, row] of current) if (!taken.has(id) && !fresh(id)) rows.push(row);
    const compare = comparatorOf(this.options);
    if (compare) rows.sort(compare);
    this.value = withRows(snapshot, rows);
    if (isPage(snapshot) && typeof snapshot.count === "number") {
      this.value.count = Math.max(rows.length, snapshot.count + rows.length - snapshot.results.length);
    }
    return this.value;
  }

  /** Forget the rows (and what events touched). */
  reset(value = Array.isArray(this.value) ? [] : withRows(this.value, [])) {
    this.value = value;
    this.touched.clear();
    return this.value;
  }
}

/**
 * Apply an event to the list at `data[key]` of a query's data; returns new data (or
 * `data` itself when nothing changed). For `cache.updateQuery` in Apollo and urql.
 */
export function applyToData(data, key, event, options = {}) {
  if (!data || data[key] == null) return data;
  const list = applyEvent(data[key], event, options);
  return list === data[key] ? data : { ...data, [key]: list };
}
