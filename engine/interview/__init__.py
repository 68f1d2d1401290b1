"""The interview page's engines: the curriculum, the multitask and label-noise labs."""
