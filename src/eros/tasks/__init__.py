"""The task queue's entry point: what workers run (Procrastinate on PostgreSQL, docs/DECISIONS.md).

`queue` builds the Procrastinate app and its tasks, `planning` the creator-week jobs, `periodic`
the recurring work, `checks` the one periodic check `eros check` also runs. Tasks are thin: they
build services through `eros.bootstrap` and call them; no rule lives here.
"""
