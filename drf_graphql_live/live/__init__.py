"""Live subscriptions: every committed model change, pushed to the subscribers who may see it.

The data path, one module each: :mod:`.signals` (post_save & co., deferred to the commit)
-> :mod:`.events` (one ChangeEvent per row, on the channel layer, with what it
:mod:`.dependencies` affect) -> :mod:`.hub` (one listener per process, gaps noticed by
:mod:`.heartbeat`) -> :mod:`.groups` (subscriptions that see the same objects the same
way) -> :mod:`.visibility` (the viewset, as each group's subscriber) -> :mod:`.render`
(a frame once per group) -> :mod:`.delivery` (to each socket). :mod:`.resolvers` is the
generated ``*Changed`` fields' Strawberry path.
"""
