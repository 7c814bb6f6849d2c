"""Tasks: one module per objective family, each a builder `(config, dataset) -> Task`.

`registry.TASKS` maps config.task to its builder; `registry.from_config` builds one.
"""
