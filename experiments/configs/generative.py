"""The generative tasks' shared recipe (vae, iwae, gan, vaegan): the schema's defaults
(`genvdisc.config_schema` documents every field) with an MLP of (200, 200), sample grids saved,
and D's step size equal to G's. Not a runnable experiment on its own."""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.model_kwargs.hidden_sizes = (200, 200)  # mlp: encoder/discriminator widths; decoder mirrored
  config.image_grid = 64               # samples per PNG grid at each save
  return config
