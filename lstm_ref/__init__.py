"""lstm_ref: the course's reference NumPy implementation of RNNs and LSTMs."""
