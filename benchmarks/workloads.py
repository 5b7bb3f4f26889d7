"""What the subscribers ask for, per mode and mix.

``same``: every subscriber sends the same subscription (one group in our hub).
``mixed``: subscriber *i* uses variant ``i % 10`` — ten different selection sets and
filters (ten groups in our hub). Every variant matches every bench task (see
prepare.py), so every subscriber expects every change, and every variant selects
``title``, which carries the sequence number and commit time.
"""

from __future__ import annotations

__all__ = ["PATHS", "queries"]

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


def queries(mode: str, mix: str, prep: dict) -> list[str]:
    """The distinct subscription documents; subscriber ``i`` sends ``[i % len]``."""
    if mix == "same" or mode == "bare":
        return [SAME]
    variants = OURS_MIXED if mode == "ours" else NAIVE_MIXED
    return [
        "subscription { "
        + v.replace("{project}", str(prep["project"])).replace("{user}", str(prep["user"]))
        + " }"
        for v in variants
    ]
