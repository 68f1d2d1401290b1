"""Pretrained models and what is done with them: MiniLM, SmolLM2, objectives, compression, transfer."""
