"""lstm_ref: the course's reference NumPy implementation of RNNs and LSTMs.

Everything the book, the assignments and the autograder rely on is importable
from here; the submodules hold one concept each (``lstm``, ``rnn``, ``gru``,
``gradcheck``, ``init``, ``losses``, ``layers``, ``optim``, ``data``,
``tasks``, ``models``, ``interop``). Arrays are batch-major: a batch of
sequences is ``(N, T, D)``; the gates act on ``[h_{t-1}, x_t]``.
"""

from lstm_ref.activations import sigmoid, sigmoid_grad, tanh, tanh_grad
from lstm_ref.data import (
    MinMaxScaler,
    StandardScaler,
    TemporalSplit,
    fit_minmax_scaler,
    fit_standard_scaler,
    lengths_from_mask,
    pad_sequences,
    sliding_windows,
    temporal_split,
)
from lstm_ref.gradcheck import (
    GradCheckReport,
    check_gradients,
    numerical_gradient,
    rel_error,
)
from lstm_ref.gru import (
    gru_backward,
    gru_cell_backward,
    gru_cell_forward,
    gru_forward,
    init_gru_params,
)
from lstm_ref.init import glorot_uniform, init_lstm_params, init_rnn_params, orthogonal
from lstm_ref.interop import (
    from_keras_weights,
    from_torch_rnn_weights,
    from_torch_weights,
    to_keras_weights,
    to_torch_rnn_weights,
    to_torch_weights,
)
from lstm_ref.layers import dense_backward, dense_forward, init_dense_params
from lstm_ref.losses import mse_loss, softmax, softmax_cross_entropy
from lstm_ref.lstm import (
    LSTMCache,
    LSTMCellCache,
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
)
from lstm_ref.models import History, SequenceModel, train
from lstm_ref.optim import adam_step, clip_grad_norm, rmsprop_step, sgd_step
from lstm_ref.rnn import (
    RNNCache,
    RNNCellCache,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)
from lstm_ref.tasks import (
    ADDING_1997_BASELINE_MSE,
    ADDING_UNIFORM_BASELINE_MSE,
    REBER_SYMBOLS,
    TEMPORAL_ORDER_SYMBOLS,
    adding_problem,
    embedded_reber,
    embedded_reber_string,
    is_embedded_reber,
    is_reber,
    noisy_sines,
    one_hot_reber,
    reber_next_symbol_targets,
    reber_string,
    temporal_order,
)

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
