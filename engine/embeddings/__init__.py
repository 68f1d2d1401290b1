"""Word embeddings: word2vec (Huffman, negative sampling, fastText), GloVe, LSA, tf-idf, similarity."""
