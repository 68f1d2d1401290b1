"""The Transformer: the model, normalisation, cost, parameter counts, seq2seq, toy tasks."""
