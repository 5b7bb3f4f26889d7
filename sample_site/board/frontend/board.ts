/**
 * The live board page (/board/): lists the signed-in user's tasks with a GraphQL query
 * and keeps them current with a `tasksChanged(initial: true)` subscription over
 * graphql-transport-ws, using the `graphql-ws` npm client. After a reconnect it resumes
 * with `after:` the cursor of the last event it applied (the recipe in
 * clients/resumable.mjs): only what changed while it was away comes, not the whole list.
 *
 * Authentication is the Django session: the query and mutations are same-origin POSTs
 * (with the CSRF token, as DRF's SessionAuthentication wants), and the WebSocket
 * handshake carries the session cookie, so no token is needed in the browser.
 *
 * The types come from our schema: `make codegen` (see README and codegen.yml) writes
 * `generated/schema.ts` and `generated/graphql.ts` from `manage.py export_schema` and
 * the operations below, and `tsc -p sample_site/board/frontend` checks this file
 * against them. esbuild strips
 * the types when bundling (`npm run build:board`), so the bundle builds without them.
 */
import { createClient } from "graphql-ws";
import { LiveRows, resumable } from "../../../clients/resumable.mjs";
import type {
  BoardQuery,
  CreateTaskMutation,
  CreateTaskMutationVariables,
  DeleteTaskMutation,
  DeleteTaskMutationVariables,
  TasksChangedSubscription,
  TasksChangedSubscriptionVariables,
  UpdateTaskStatusMutation,
  UpdateTaskStatusMutationVariables,
} from "./generated/graphql";
import type { TaskStatus } from "./generated/schema";

// ---- operations (graphql-codegen reads the /* GraphQL */ literals) ----------------

const BOARD = /* GraphQL */ `
  query Board {
    projects {
      results {
        id
        name
      }
    }
    tasks(ordering: "id", limit: 500) {
      results {
        id
        title
        status
        projectName
        assigneeDetail {
          username
        }
      }
    }
  }
`;

const TASKS_CHANGED = /* GraphQL */ `
  subscription TasksChanged($initial: Boolean, $after: String) {
    tasksChanged(initial: $initial, after: $after) {
      kind
      id
      cursor
      node {
        id
        title
        status
        projectName
        assigneeDetail {
          username
        }
      }
    }
  }
`;

const CREATE_TASK = /* GraphQL */ `
  mutation CreateTask($input: TaskInput!) {
    createTask(input: $input) {
      id
    }
  }
`;

const UPDATE_TASK_STATUS = /* GraphQL */ `
  mutation UpdateTaskStatus($id: ID!, $status: TaskStatus!) {
    updateTask(id: $id, input: { status: $status }) {
      id
      status
    }
  }
`;

const DELETE_TASK = /* GraphQL */ `
  mutation DeleteTask($id: ID!) {
    deleteTask(id: $id)
  }
`;

type Task = BoardQuery["tasks"]["results"][number];
type TaskEvent = TasksChangedSubscription["tasksChanged"];

// Each selection has the same fields, so a subscription node is a board row.
const asRow: (node: NonNullable<TaskEvent["node"]>) => Task = (node) => node;

const STATUSES: ReadonlyArray<[TaskStatus, string]> = [
  ["TODO", "To do"],
  ["IN_PROGRESS", "In progress"],
  ["DONE", "Done"],
];

// ---- page elements ----------------------------------------------------------------

function element<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
}

const graphqlPath = document.body.dataset.graphqlPath || "/graphql/";
const httpUrl = new URL(graphqlPath, window.location.href).href;
const wsUrl = httpUrl.replace(/^http/, "ws");
const csrfToken = element<HTMLMetaElement>('meta[name="csrf-token"]').content;

const tbody = element<HTMLTableSectionElement>("#tasks tbody");
const connection = element<HTMLElement>("#connection");
const errorBox = element<HTMLElement>("#error");
const form = element<HTMLFormElement>("#new-task");
const projectSelect = element<HTMLSelectElement>('#new-task select[name="project"]');

function setConnection(state: "connecting" | "connected" | "live" | "closed"): void {
  connection.dataset.state = state;
  connection.textContent = state;
}

function showError(message: string): void {
  errorBox.textContent = message;
}

// ---- GraphQL over HTTP (the session cookie + CSRF token authenticate it) -----------

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

async function graphql<Data, Variables = Record<string, never>>(
  query: string,
  variables?: Variables,
): Promise<Data> {
  const response = await fetch(httpUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: Data; errors?: GraphQLError[] };
  if (result.errors?.length) {
    throw new Error(result.errors.map((e) => e.message).join("; "));
  }
  if (!result.data) throw new Error(`HTTP ${response.status}`);
  return result.data;
}

// ---- rows ----------------------------------------------------------------------------

/** Sequence number of the last subscription event applied to each task id. */
const touched = new Map<string, number>();
let eventCount = 0;

function rowOf(id: string): HTMLTableRowElement | null {
  return tbody.querySelector<HTMLTableRowElement>(`tr[data-task-id="${CSS.escape(id)}"]`);
}

function cell(row: HTMLTableRowElement, name: string): HTMLTableCellElement {
  return row.querySelector<HTMLTableCellElement>(`td.${name}`)!;
}

function newRow(id: string): HTMLTableRowElement {
  const row = document.createElement("tr");
  row.dataset.taskId = id;
  for (const name of ["title", "project", "status", "assignee", "actions"]) {
    const td = document.createElement("td");
    td.className = name;
    row.append(td);
  }
  const select = document.createElement("select");
  select.setAttribute("aria-label", "Status");
  for (const [value, label] of STATUSES) select.add(new Option(label, value));
  select.addEventListener("change", () => {
    void run(() =>
      graphql<UpdateTaskStatusMutation, UpdateTaskStatusMutationVariables>(UPDATE_TASK_STATUS, {
        id,
        status: select.value as TaskStatus,
      }),
    );
  });
  cell(row, "status").append(select);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "delete";
  remove.textContent = "Delete";
  remove.addEventListener("click", () => {
    void run(() =>
      graphql<DeleteTaskMutation, DeleteTaskMutationVariables>(DELETE_TASK, { id }),
    );
  });
  cell(row, "actions").append(remove);
  return row;
}

/** True once the first list has been shown: later new rows are highlighted. */
let shownOnce = false;

/** Insert or update the row of `task`, keeping rows in id order; highlight changes. */
function upsert(task: Task): void {
  const id = String(task.id);
  let row = rowOf(id);
  const isNew = !row;
  if (!row) {
    row = newRow(id);
    const after = Array.from(tbody.rows).find((r) => Number(r.dataset.taskId) > task.id);
    tbody.insertBefore(row, after ?? null);
  }
  const assignee = task.assigneeDetail?.username ?? "";
  const shown = JSON.stringify([task.title, task.status, task.projectName, assignee]);
  const changed = isNew ? shownOnce : row.dataset.shown !== shown;
  row.dataset.shown = shown;
  row.dataset.status = task.status;
  cell(row, "title").textContent = task.title;
  cell(row, "project").textContent = task.projectName;
  cell(row, "assignee").textContent = assignee;
  row.querySelector("select")!.value = task.status;
  if (changed) {
    row.classList.remove("flash");
    void row.offsetWidth; // restart the highlight animation
    row.classList.add("flash");
  }
}

function remove(id: string): void {
  rowOf(id)?.remove();
}

/** ADDED / MODIFIED upsert the node, REMOVED deletes the row. */
function apply(event: TaskEvent): void {
  touched.set(event.id, ++eventCount);
  if (event.kind === "REMOVED" || !event.node) remove(event.id);
  else upsert(asRow(event.node));
}

/**
 * Load the list with the query. Rows that a subscription event touched after the query
 * started are left alone: the event is newer than the query's answer.
 */
async function load(): Promise<void> {
  const startedAt = eventCount;
  const data = await graphql<BoardQuery>(BOARD);
  const fresh = (id: string) => (touched.get(id) ?? 0) <= startedAt;
  const inList = new Set(data.tasks.results.map((t) => String(t.id)));
  for (const row of Array.from(tbody.rows)) {
    const id = row.dataset.taskId!;
    if (!inList.has(id) && fresh(id)) row.remove();
  }
  for (const task of data.tasks.results) if (fresh(String(task.id))) upsert(task);
  shownOnce = true;
  const chosen = projectSelect.value;
  projectSelect.replaceChildren(
    ...data.projects.results.map((p) => new Option(p.name, String(p.id))),
  );
  if (chosen) projectSelect.value = chosen;
}

async function run(action: () => Promise<unknown>): Promise<void> {
  showError("");
  try {
    await action();
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const title = form.elements.namedItem("title") as HTMLInputElement;
  void run(async () => {
    await graphql<CreateTaskMutation, CreateTaskMutationVariables>(CREATE_TASK, {
      input: { title: title.value, project: projectSelect.value },
    });
    title.value = "";
  });
});

// ---- the subscription ------------------------------------------------------------------

const client = createClient({
  url: wsUrl,
  lazy: false,
  retryAttempts: Infinity,
  shouldRetry: () => true,
  on: {
    connecting: () => setConnection("connecting"),
    connected: () => setConnection("connected"),
    closed: () => setConnection("closed"),
  },
});

// Subscribes with `initial: true`, and after every reconnect with `after:` the last
// cursor: the server sends what changed meanwhile (REMOVED included), then live events.
// When it cannot resume (RESUME_EXPIRED) the rows are dropped and `initial: true` follows.
resumable<TasksChangedSubscription>({
  wsClient: client,
  field: "tasksChanged",
  list: new LiveRows(),
  subscribe: (variables, sink) =>
    client.subscribe<TasksChangedSubscription>(
      { query: TASKS_CHANGED, variables: variables satisfies TasksChangedSubscriptionVariables },
      sink,
    ),
  onEvent: (event) => {
    apply(event);
    setConnection("live");
  },
  onReset: () => {
    tbody.replaceChildren();
    touched.clear();
  },
  onError: (error) => {
    if (Array.isArray(error)) {
      showError(error.map((e: { message: string }) => e.message).join("; "));
      return;
    }
    const code = (error as { code?: number }).code;
    showError(error instanceof Error ? error.message : `WebSocket closed (${code ?? "?"})`);
  },
});

void run(load);
