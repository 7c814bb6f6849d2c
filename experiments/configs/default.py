"""The schema's defaults (`genvdisc.config_schema`, where each field's meaning is, once).

Not a runnable experiment on its own: the other files in this folder start from
`get_config()` and set the model, dataset and recipe.
"""

from genvdisc import config_schema


def get_config():
  return config_schema.defaults()
