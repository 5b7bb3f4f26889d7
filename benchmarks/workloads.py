"""What the subscribers ask for, per mode and mix.

``same``: every subscriber sends the same subscription (one group in our hub).
``mixed``: subscriber *i* uses variant ``i % 10`` — ten different selection sets and
filters (ten groups in our hub). Every variant matches every bench task (see
prepare.py), so every subscriber expects every change, and every variant selects
``title``, which carries the sequence number and commit time.

Who the sockets are (``users``, issue 13; ours only):

- ``one``: every socket logs in as alice (the figures above);
- ``distinct``: socket *i* logs in as its own user ``bench-d<i>``, every one a member
  of the Bench project, with the mix's documents: one group per user;
- ``projects``: the realistic mix. Socket *i* is user ``bench-m<i>``, member of mix
  project ``i % P`` alone (P = 50); even sockets send ``tasksChanged(project: <its
  project>)``, odd ones plain ``tasksChanged`` (which shows only their project); one
  socket in ten also has a detail subscription ``taskChanged(id:)`` to a task of its
  project, on the same socket (subscription id ``"2"``). The writer changes the mix
  projects' tasks round-robin, so a change concerns N / P sockets plus the detail
  subscribers of that task, and every other group must stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["PATHS", "USERS", "Plan", "Stream", "plan", "queries", "with_cursor"]

USERS = ("one", "distinct", "projects")

PATHS = {"ours": "/graphql/", "naive": "/bench/naive/", "bare": "/bench/bare/"}

SAME = "subscription { tasksChanged { kind id node { id title status } } }"

OURS_MIXED = [
    "tasksChanged { kind id node { id title status } }",
    'tasksChanged(status: "todo") { kind id node { id title } }',
    'tasksChanged(project: "{project}") { kind id node { id title priority } }',
    'tasksChanged(assignee: "{user}") { kind id node { id title assigneeDetail { username } } }',
    'tasksChanged(priority: "2") { kind id node { id title status priority } }',
    'tasksChanged(search: "bench") { kind id node { id title projectName } }',
    'tasksChanged(ordering: "-id") { kind id node { id title updatedAt } }',
    'tasksChanged(status: "todo", project: "{project}") { kind id node { id title dueDate } }',
    'tasksChanged(dueBefore: "2100-01-01") { kind id node { id title tags estimate } }',
    "tasksChanged { kind id node { id title commentCount } }",
]

NAIVE_MIXED = [
    "tasksChanged { kind id node { id title status } }",
    'tasksChanged(status: "todo") { kind id node { id title } }',
    'tasksChanged(project: "{project}") { kind id node { id title priority } }',
    "tasksChanged { kind id node { id title assigneeId } }",
    'tasksChanged(status: "todo", project: "{project}") { kind id node { id title status } }',
    "tasksChanged { kind id node { id title projectId } }",
    'tasksChanged(status: "todo") { kind id node { id title status projectId } }',
    'tasksChanged(project: "{project}") { kind id node { id title } }',
    "tasksChanged { kind id node { id title priority assigneeId } }",
    'tasksChanged(status: "todo") { kind id node { id title priority } }',
]


def queries(mode: str, mix: str, prep: dict, cursor: bool = False) -> list[str]:
    """The distinct subscription documents; subscriber ``i`` sends ``[i % len]``.

    ``cursor`` (ours only): the documents also select the event's ``cursor``, which makes
    their groups keep a resume log (benchmarks/resume.py measures what that costs).
    """
    if mix == "same" or mode == "bare":
        docs = [SAME]
    else:
        variants = OURS_MIXED if mode == "ours" else NAIVE_MIXED
        docs = [
            "subscription { "
            + v.replace("{project}", str(prep["project"])).replace("{user}", str(prep["user"]))
            + " }"
            for v in variants
        ]
    return [with_cursor(doc) for doc in docs] if cursor and mode == "ours" else docs


def with_cursor(document: str) -> str:
    """``document`` selecting ``cursor`` next to ``kind`` (every event has one)."""
    return document.replace("{ kind id ", "{ kind id cursor ")


LIST = "tasksChanged{args} {{ kind id node {{ id title status }} }}"
DETAIL = 'taskChanged(id: "{task}") {{ kind id node {{ id title status }} }}'


@dataclass
class Stream:
    """One subscription on one socket: what it sends and which changes it must get."""

    socket: int
    id: str
    query: str
    #: the tasks whose changes it must receive (None: every task written)
    sees: frozenset[int] | None = None
    #: whether the warm-up probe task is visible to it
    probe: bool = True

    def expects(self, task: int) -> bool:
        return self.sees is None or task in self.sees


@dataclass
class Plan:
    """Who connects with which token, subscribing to what; which tasks the writer changes."""

    tokens: list[str]
    streams: list[Stream]
    tasks: list[int]
    probe_task: int
    by_socket: list[list[Stream]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_socket = [[] for _ in self.tokens]
        for stream in self.streams:
            self.by_socket[stream.socket].append(stream)


def plan(mode: str, mix: str, users: str, prep: dict, n: int, cursor: bool = False) -> Plan:
    """The N sockets of one configuration (see the module docstring)."""
    if users == "projects":
        built = _projects_plan(prep["mix"], n)
        if cursor and mode == "ours":
            for stream in built.streams:
                stream.query = with_cursor(stream.query)
        return built
    docs = queries(mode, mix, prep, cursor)
    if users == "distinct":
        if n > len(prep["bench_users"]):
            raise ValueError(f"prepare made {len(prep['bench_users'])} users; {n} needed")
        tokens = [token for _uid, token in prep["bench_users"][:n]]
    else:
        tokens = [prep["token"]] * n
    streams = [Stream(i, "1", docs[i % len(docs)]) for i in range(n)]
    return Plan(tokens, streams, prep["tasks"], prep["probe_task"])


def _projects_plan(mix: dict, n: int) -> Plan:
    if n > len(mix["users"]):
        raise ValueError(f"prepare made {len(mix['users'])} mix users; {n} needed")
    count = len(mix["projects"])
    used = range(min(count, n))
    streams = []
    for i in range(n):
        p, rank = i % count, i // count
        args = f'(project: "{mix["projects"][p]}")' if i % 2 == 0 else ""
        sees = frozenset(mix["project_tasks"][p])
        streams.append(Stream(i, "1", "subscription { " + LIST.format(args=args) + " }",
                              sees, probe=p == 0))  # fmt: skip
        if rank % 10 == p % 10:  # one in ten, spread over the projects
            task = mix["project_tasks"][p][rank % len(mix["project_tasks"][p])]
            query = "subscription { " + DETAIL.format(task=task) + " }"
            streams.append(Stream(i, "2", query, frozenset([task]), probe=False))
    longest = max(len(mix["project_tasks"][p]) for p in used)
    tasks = [  # interleaved: consecutive changes concern different projects
        mix["project_tasks"][p][r]
        for r in range(longest)
        for p in used
        if r < len(mix["project_tasks"][p])
    ]
    return Plan([token for _uid, token in mix["users"][:n]], streams, tasks,
                mix["probe_tasks"][0])  # fmt: skip
