"""Change capture: every committed write becomes a ChangeEvent, whatever made it.

On PostgreSQL the database itself reports the writes (statement-level triggers that
``NOTIFY``; :mod:`.triggers`, :mod:`.listener`), so ``QuerySet.update()``, bulk writes,
raw SQL and other programs are seen. Elsewhere, and where the triggers cannot be
installed, the model signals (:mod:`drf_graphql_live.live.signals`) and the ORM's bulk
writes (:mod:`.orm`) announce what Django writes.
"""
