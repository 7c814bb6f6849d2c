"""Training: the state pytree, the engine (chunks in XLA, vmapped seeds) and the run loop (`run`)."""
