"""The shared core: the training loop (train), N models side by side (side_by_side), seeded randomness without
torch's global RNG (seeding), the one config validation style (config), input errors (errors), corpora."""
