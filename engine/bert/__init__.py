"""BERT: the model, WordPiece, masking, NSP, visibility, a small causal LM beside it."""
