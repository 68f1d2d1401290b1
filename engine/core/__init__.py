"""The shared core: the training loop, input errors, corpora."""
