/**
 * The live board page (/board/): lists the signed-in user's tasks with a GraphQL query
 * and keeps them current with a `tasksChanged(initial: true)` subscription over
 * graphql-transport-ws, using the `graphql-ws` npm client and the package in
 * clients/live (`@drf-graphql-live/client`): its LiveList applies the events in id order
 * and merges the query's answer without undoing newer events, and liveSubscription()
 * resumes with `after:` the cursor of the last event applied after a reconnect (only
 * what changed while it was away comes, not the whole list).
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
 * `@drf-graphql-live/client` resolves to clients/live through tsconfig.json's `paths`
 * (esbuild and tsc both read it).
 */
import { LiveList, fromGraphQLWs, liveSubscription } from "@drf-graphql-live/client";
import { createClient } from "graphql-ws";
import type {
  BoardQuery,
  CreateTaskMutation,
  CreateTaskMutationVariables,
  DeleteTaskMutation,
  DeleteTaskMutationVariables,
  TasksChangedSubscription,
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

/** The tasks shown, in id order (the query's `ordering: "id"`). */
const list = new LiveList<Task>({ ordering: "id" });

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

/** Fill `row` with `task`; highlight it if what it shows changed. */
function fill(row: HTMLTableRowElement, task: Task, isNew: boolean): void {
  const assignee = task.assigneeDetail?.username ?? "";
  const shown = JSON.stringify([task.title, task.status, task.projectName, assignee]);
  const changed = isNew ? shownOnce : row.dataset.shown !== shown;
  if (!changed && !isNew) return;
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

/** Make the table show `list.rows`, in order, moving only the rows that moved. */
function render(): void {
  let next = tbody.firstElementChild;
  const kept = new Set<Element>();
  for (const task of list.rows) {
    const id = String(task.id);
    let row = rowOf(id);
    const isNew = !row;
    row ??= newRow(id);
    fill(row, task, isNew);
    kept.add(row);
    if (row === next) next = row.nextElementSibling;
    else tbody.insertBefore(row, next);
  }
  for (const row of Array.from(tbody.rows)) if (!kept.has(row)) row.remove();
}

/**
 * Load the list with the query. Rows that a subscription event touched after the query
 * started keep what the events made of them: the events are newer than the answer.
 */
async function load(): Promise<void> {
  const mark = list.mark();
  const data = await graphql<BoardQuery>(BOARD);
  list.load(data.tasks.results, mark);
  render();
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
// When it cannot resume (RESUME_EXPIRED) the list is loaded again and `initial: true`
// follows.
liveSubscription<TasksChangedSubscription>({
  ...fromGraphQLWs<TasksChangedSubscription>(client, TASKS_CHANGED),
  onEvent: (event) => {
    list.apply(event);
    render();
    setConnection("live");
  },
  onExpired: () => run(load),
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
