"""The key for the course's quick-check and exercise questions.

Each question has public metadata (``QUESTIONS``: id, chapter, kind, prompt,
choices) and a key entry (``_KEY``): a random salt and the SHA-256 digest of
``salt, question id, normalised answer``. The answers themselves are never
stored, so neither this file nor anything generated from it shows them in
clear text; ``check_answer`` recomputes the digest of a candidate answer.

Hashing hides the key from reading, not from guessing: a choice question has
four possible answers and anyone can call ``check_answer`` four times. So the
assignments' quick checks do not try to prevent guessing: they tell the
student right or wrong at once (issue 5), the visible test calls
``check_answer``, attempts are not limited, and each question is worth one
point, so guessing gains little. A hidden test checks the answer again at
grading, whatever the notebook's helpers became.

Kinds and how an answer is normalised before hashing:

``choice``
    One letter among the question's choices. Case, surrounding whitespace,
    and decorations such as ``"(b)"``, ``"b)"`` or ``"b."`` are ignored; the
    full text of a choice is accepted for its letter.
``numeric``
    A number, checked to the question's stated precision: the answer is
    rounded half away from zero to ``decimals`` places and the digest of that
    rounded value (e.g. ``"0.25"``) is compared with the key's. The tolerance
    is therefore half a unit in the last stated place around the key's rounded
    value (``0.245 <= answer < 0.255`` for a key of ``0.25``), and the key
    reveals no more than the rounded value does.
``shape``
    A tuple of non-negative integers such as ``(12, 8)``; a list, or a string
    such as ``"12, 8"`` or ``"(12, 8)"``, is read as the same tuple.

Adding a question (maintainers): add its metadata to ``QUESTIONS``, then run
``python -m lstm_ref.questions key QUESTION_ID``; it asks for the answer
without echoing it and prints the ``_KEY`` line to paste. Never commit the
answer itself anywhere else.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sys
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from numbers import Integral, Real
from typing import NamedTuple

__all__ = [
    "QUESTIONS",
    "Question",
    "check_answer",
    "assignment_for_chapter",
    "format_question",
    "graded_questions_markdown",
    "key_entry",
    "normalise_answer",
    "questions_for_chapter",
]


class Question(NamedTuple):
    """Public metadata of one question (everything but its answer)."""

    id: str  # stable snake_case id, used as the notebook's grade_id suffix
    chapter: int  # the book chapter that answers it
    kind: str  # "choice", "numeric" or "shape"
    prompt: str  # the question, in the book's notation (MyST/Markdown math)
    choices: Mapping[str, str] | None = None  # letter -> text, for "choice"
    decimals: int | None = None  # stated precision, for "numeric"


_QUESTION_LIST = (
    Question(
        id="sequence_batch_shape",
        chapter=1,
        kind="shape",
        prompt=(
            "A batch holds 32 sequences, each 50 time steps long, with 8 "
            "features per step. What is the shape of the input array $x$ in "
            "the course's batch-major layout? Answer with a tuple."
        ),
    ),
    Question(
        id="rnn_unrolling",
        chapter=1,
        kind="choice",
        prompt="What does unrolling a vanilla RNN over $T$ time steps give?",
        choices={
            "a": "$T$ different cells, each with its own weights, trained apart.",
            "b": "One cell applied once to the average of the $T$ inputs.",
            "c": (
                "$T$ copies of the same cell, one per step, all sharing one "
                "$W$ and one $b$: a deep feed-forward graph through which the "
                "gradient flows back step by step."
            ),
            "d": "A network that can only read sequences of exactly $T$ steps.",
        },
    ),
    Question(
        id="rnn_parameter_count",
        chapter=1,
        kind="numeric",
        prompt=(
            "A vanilla RNN has $H = 4$ hidden units and $D = 3$ input features "
            "($W$ of shape $(H, H + D)$ and a bias $b$). It is unrolled over "
            "$T = 100$ time steps. How many trainable numbers does it have?"
        ),
        decimals=0,
    ),
    Question(
        id="rnn_two_steps",
        chapter=1,
        kind="numeric",
        prompt=(
            "A vanilla RNN with $H = D = 1$ has $W = [0.5, 1]$ (recurrent "
            "weight 0.5 first, then the input weight 1) and $b = 0$. It starts "
            "from $h_0 = 0$ and reads $x_1 = 1$, then $x_2 = 0.5$. What is "
            "$h_2$, to 2 decimal places?"
        ),
        decimals=2,
    ),
    Question(
        id="rnn_step_jacobian",
        chapter=2,
        kind="choice",
        prompt=(
            "Split $W = [W_h, W_x]$ into its recurrent block $W_h$ "
            "$(H, H)$ and its input block $W_x$ $(H, D)$, so that "
            "$h_t = \\tanh(W_h h_{t-1} + W_x x_t + b)$. What is the Jacobian "
            "$\\partial h_t / \\partial h_{t-1}$?"
        ),
        choices={
            "a": "$W_h$",
            "b": "$\\operatorname{diag}(h_t)\\, W_h$",
            "c": "$\\operatorname{diag}(1 - h_t^2)\\, W_x$",
            "d": "$\\operatorname{diag}(1 - h_t^2)\\, W_h$",
        },
    ),
    Question(
        id="vanishing_condition",
        chapter=2,
        kind="choice",
        prompt=(
            "Pascanu, Mikolov & Bengio (2013) give a condition under which "
            "$\\|\\partial h_T / \\partial h_t\\|$ of a tanh RNN is sure to "
            "vanish as the lag $T - t$ grows. Which is it?"
        ),
        choices={
            "a": (
                "The largest singular value of $W_h$ is below 1: since "
                "$|\\tanh'| \\le 1$, every step's Jacobian then has norm below "
                "1, and their product shrinks geometrically with the lag."
            ),
            "b": "The largest singular value of $W_h$ is above 1.",
            "c": "The learning rate is below 1.",
            "d": "The sequence is longer than the number of hidden units $H$.",
        },
    ),
    Question(
        id="lag_below_one_percent",
        chapter=2,
        kind="numeric",
        prompt=(
            "Suppose every step back in time multiplies "
            "$\\|\\partial h_T / \\partial h_t\\|$ by exactly 0.8, starting "
            "from 1 at lag 0. What is the smallest lag $T - t$ at which it is "
            "below 0.01 (a whole number of steps)?"
        ),
        decimals=0,
    ),
    Question(
        id="exploding_not_guaranteed",
        chapter=2,
        kind="choice",
        prompt=(
            "The largest singular value of a tanh RNN's $W_h$ is 1.5. Does "
            "$\\|\\partial h_T / \\partial h_t\\|$ necessarily explode as the "
            "lag grows?"
        ),
        choices={
            "a": "Yes: a largest singular value above 1 always makes it explode.",
            "b": "Yes, but only for sequences longer than $H$ steps.",
            "c": (
                "No: above 1 is necessary for exploding, not sufficient; "
                "saturated units ($\\tanh'$ near 0) can still make the product "
                "of Jacobians vanish."
            ),
            "d": "No: a tanh RNN's gradient can never explode.",
        },
    ),
    Question(
        id="cell_state_role",
        chapter=3,
        kind="choice",
        prompt="What is the main role of the cell state $C_t$ in an LSTM?",
        choices={
            "a": "It is the output that the next layer reads at every step.",
            "b": (
                "It carries information across many time steps, changed only "
                "by element-wise multiplication and addition, so that "
                "information and gradients can travel far."
            ),
            "c": "It stores the weights that the gates use.",
            "d": "It normalises the input $x_t$ before the gates see it.",
        },
    ),
    Question(
        id="forget_fraction_30_steps",
        chapter=3,
        kind="numeric",
        prompt=(
            "A cell's forget gate stays at 0.95 for 30 steps and its input "
            "gate is closed ($i_t = 0$). What fraction of the value stored in "
            "the cell before those steps remains, to 2 decimal places?"
        ),
        decimals=2,
    ),
    Question(
        id="forget_gate_range",
        chapter=4,
        kind="choice",
        prompt="Why do the forget gate's values $f_t$ lie between 0 and 1?",
        choices={
            "a": "Because the cell state always lies between 0 and 1.",
            "b": "Because the weights $W_f$ are initialised with small values.",
            "c": (
                "Because $f_t$ is the sigmoid of its pre-activation: each "
                "entry is the fraction of the matching cell-state entry that "
                "is kept (0: forget it, 1: keep it)."
            ),
            "d": "Because $\\tanh$ maps every real number into (0, 1).",
        },
    ),
    Question(
        id="forget_fraction_bias_two",
        chapter=4,
        kind="numeric",
        prompt=(
            "A unit's forget-gate pre-activation is 2 at every step (for "
            "example $b_f = 2$ and zero weights) and its input gate is closed. "
            "What fraction of the value stored in the cell is left after 3 "
            "steps, to 2 decimal places?"
        ),
        decimals=2,
    ),
    Question(
        id="candidate_tanh",
        chapter=5,
        kind="choice",
        prompt=(
            "Why does the candidate $\\tilde{C}_t$ use $\\tanh$ while the input "
            "gate $i_t$ uses $\\sigma$?"
        ),
        choices={
            "a": (
                "The candidate proposes signed values in (-1, 1) that can raise "
                "or lower the cell state; the sigmoid gate chooses how much of "
                "each proposal to write, a fraction in (0, 1)."
            ),
            "b": "Because $\\tanh$ is cheaper to compute than $\\sigma$.",
            "c": "So that both have the same range, (0, 1).",
            "d": "Because the candidate must always be positive.",
        },
    ),
    Question(
        id="cell_update_value",
        chapter=6,
        kind="numeric",
        prompt=(
            "One unit has $f_t = 0.5$, $C_{t-1} = 2$, $i_t = 0.8$ and "
            "$\\tilde{C}_t = -0.5$. What is its new cell state $C_t$, to 1 "
            "decimal place?"
        ),
        decimals=1,
    ),
    Question(
        id="output_gate_role",
        chapter=7,
        kind="choice",
        prompt="What does the output gate $o_t$ control?",
        choices={
            "a": "How much of the previous cell state $C_{t-1}$ is erased.",
            "b": "How much of the candidate $\\tilde{C}_t$ is written into the cell.",
            "c": "The learning rate of the cell during training.",
            "d": (
                "How much of $\\tanh(C_t)$ is exposed as the hidden state $h_t$, "
                "the value the output and the next step's gates see; it does "
                "not change the cell state."
            ),
        },
    ),
    Question(
        id="fused_weight_shape",
        chapter=8,
        kind="shape",
        prompt=(
            "Stack $W_f$, $W_i$, $W_c$ and $W_o$ on top of each other into one "
            "fused weight matrix. With $H = 3$ hidden units and $D = 5$ input "
            "features, what is its shape? Answer with a tuple (rows, columns)."
        ),
    ),
    Question(
        id="sigmoid_derivative",
        chapter=9,
        kind="choice",
        prompt=(
            "A sigmoid gate's output is $s = \\sigma(z)$. Which expression, "
            "computed from the cached output alone, equals the derivative "
            "$\\sigma'(z)$ that the backward pass needs?"
        ),
        choices={
            "a": "$1 - s^2$",
            "b": "$s$",
            "c": "$s\\,(1 - s)$",
            "d": "$e^{-s}$",
        },
    ),
    Question(
        id="forget_grad_factor",
        chapter=9,
        kind="choice",
        prompt=(
            "In the backward pass of one step, the gradient that reaches the "
            "forget gate's output is $df_t = dC_t \\odot (\\,?\\,)$. Which "
            "cached value fills the gap?"
        ),
        choices={
            "a": "The forget gate $f_t$ itself.",
            "b": "The new cell state $C_t$.",
            "c": "The candidate $\\tilde{C}_t$.",
            "d": "The previous cell state $C_{t-1}$.",
        },
    ),
    Question(
        id="cell_grad_value",
        chapter=9,
        kind="numeric",
        prompt=(
            "One unit at step $t$ has $o_t = 0.5$ and $\\tanh(C_t) = 0.6$. The "
            "loss's gradient with respect to $h_t$ is 1, and the gradient "
            "with respect to $C_t$ carried back from step $t + 1$ is 0.2. What "
            "is the total gradient of the loss with respect to $C_t$, to 2 "
            "decimal places?"
        ),
        decimals=2,
    ),
    Question(
        id="weight_grad_shape",
        chapter=9,
        kind="shape",
        prompt=(
            "An LSTM with $H = 4$ hidden units and $D = 2$ input features runs "
            "on a batch of $N = 5$ sequences of $T = 7$ steps. What is the "
            "shape of the gradient $dW_f$ that backpropagation returns? Answer "
            "with a tuple (rows, columns)."
        ),
    ),
    Question(
        id="truncated_bptt",
        chapter=10,
        kind="choice",
        prompt="What does truncated BPTT with a window of $k$ steps do?",
        choices={
            "a": "It clips the gradient's norm at $k$.",
            "b": (
                "It propagates the gradient back at most $k$ steps, which "
                "saves time and memory on long sequences, but no dependency "
                "longer than $k$ steps gets a gradient."
            ),
            "c": "It trains on $k$ time steps drawn at random from each sequence.",
            "d": "It updates only $k$ of the hidden units at each step.",
        },
    ),
    Question(
        id="weight_grad_accumulate",
        chapter=10,
        kind="choice",
        prompt=(
            "The same weights $W_f$ are used at every one of the $T$ steps. "
            "What is the gradient of the loss with respect to $W_f$?"
        ),
        choices={
            "a": "The gradient of the last step, which already contains the others.",
            "b": "The average of the contributions of the $T$ steps.",
            "c": "The sum of the contributions of every step.",
            "d": "The product of the contributions of every step.",
        },
    ),
    Question(
        id="centred_difference_value",
        chapter=10,
        kind="numeric",
        prompt=(
            "Estimate the derivative of $f(x) = x^3$ at $x = 1$ by the centred "
            "difference $(f(x + h) - f(x - h)) / 2h$ with $h = 0.1$. What "
            "value does it give, to 2 decimal places?"
        ),
        decimals=2,
    ),
    Question(
        id="gradcheck_evaluations",
        chapter=10,
        kind="numeric",
        prompt=(
            "A gradient check by centred differences estimates the gradient "
            "of the loss with respect to a weight matrix of shape (4, 6), one "
            "entry at a time. How many times does it evaluate the loss? "
            "Answer with a whole number."
        ),
        decimals=0,
    ),
    Question(
        id="cell_path_jacobian",
        chapter=11,
        kind="choice",
        prompt=(
            "Along the cell-state path alone (leaving out the paths through "
            "$h_{t-1}$ and the gates), what is $\\partial C_t / \\partial "
            "C_{t-1}$?"
        ),
        choices={
            "a": "$W_c^\\top$, the candidate's weights.",
            "b": (
                "$\\mathrm{diag}(f_t)$: each entry of $C_{t-1}$ is scaled by "
                "its own forget-gate value."
            ),
            "c": "$\\mathrm{diag}(1 - \\tanh^2(C_t))$.",
            "d": "$\\mathrm{diag}(o_t)$.",
        },
    ),
    Question(
        id="cell_path_fraction",
        chapter=11,
        kind="numeric",
        prompt=(
            "Along the cell-state path alone, a unit's forget gate is 0.98 at "
            "every step. What fraction of the gradient with respect to $C_T$ "
            "reaches $C_{T-50}$, to 2 decimal places?"
        ),
        decimals=2,
    ),
    Question(
        id="forget_bias_one",
        chapter=11,
        kind="choice",
        prompt=(
            "Why is the forget gate's bias $b_f$ often initialised to 1 rather than 0?"
        ),
        choices={
            "a": "So that the sigmoid cannot overflow.",
            "b": "So that the input gate starts closed.",
            "c": "So that the gradient explodes less often.",
            "d": (
                "So that $f_t$ starts well above 0.5: at the start of "
                "training the cell keeps more of its state, and the gradient "
                "along the cell path shrinks more slowly from step to step."
            ),
        },
    ),
    Question(
        id="why_gradient_survives",
        chapter=11,
        kind="choice",
        prompt=(
            "Why does the gradient survive over many steps in an LSTM when it "
            "vanishes in a vanilla RNN?"
        ),
        choices={
            "a": (
                "Along the cell path each step multiplies the gradient by "
                "$f_t$ alone, which the network can keep near 1; the RNN "
                "multiplies by its recurrent weights and a tanh derivative at "
                "every step."
            ),
            "b": "The LSTM is trained with a larger learning rate.",
            "c": "The LSTM has no nonlinearity on its cell path or its gates.",
            "d": "The LSTM clips its gradients automatically.",
        },
    ),
    Question(
        id="window_count",
        chapter=12,
        kind="numeric",
        prompt=(
            "A series has $n = 100$ values. You cut it into input windows of "
            "$L = 12$ consecutive steps, each with the next value as its target "
            "(horizon 1), starting a new window at every step (stride 1). How "
            "many (window, target) pairs do you get? Answer with a whole number."
        ),
        decimals=0,
    ),
    Question(
        id="scaler_fit_split",
        chapter=12,
        kind="choice",
        prompt=(
            "A series is split in time into training, validation and test parts "
            "and standardised before an LSTM sees it. On which values do you "
            "compute the scaler's mean and standard deviation?"
        ),
        choices={
            "a": ("On the whole series, so that the three parts share one scale."),
            "b": (
                "On each part separately: the training statistics for the "
                "training part, the test statistics for the test part."
            ),
            "c": (
                "On the training part only; the same mean and standard "
                "deviation are then applied to the validation and test parts."
            ),
            "d": (
                "On none: the sigmoid and $\\tanh$ squash any input into a "
                "bounded range, so an LSTM needs no scaling."
            ),
        },
    ),
    Question(
        id="padded_steps_loss",
        chapter=12,
        kind="choice",
        prompt=(
            "Sequences of different lengths are padded with zeros to a common "
            "length $T$, and a mask of shape $(N, T)$ marks the real steps. How "
            "should the loss treat the padded steps?"
        ),
        choices={
            "a": (
                "Keep them with a target of 0, so that the model learns to "
                "output 0 on padding."
            ),
            "b": (
                "Mask them out of the loss and average over the real steps "
                "only, so that padding neither adds error nor dilutes the mean."
            ),
            "c": (
                "Mask them out of the sum but still divide by $N \\cdot T$, the "
                "number of steps in the batch."
            ),
            "d": (
                "Nothing special: zero inputs give zero hidden states, so the "
                "padded steps add no loss anyway."
            ),
        },
    ),
    Question(
        id="no_shuffle_split",
        chapter=12,
        kind="choice",
        prompt=(
            "You have ten years of daily measurements and want to measure how "
            "well a forecaster predicts values it has not seen. How do you "
            "split the windows into training and test sets?"
        ),
        choices={
            "a": (
                "Shuffle the windows, then take 80 % for training and 20 % for "
                "testing, as for images."
            ),
            "b": (
                "Put every fifth window into the test set, so that both sets "
                "cover all ten years."
            ),
            "c": (
                "Test on the first year and train on the nine later ones, so "
                "that the model gets the most recent data."
            ),
            "d": (
                "Keep time order: train on the earlier part, test on the later "
                "part. Shuffling before the split would let training windows "
                "contain the future of the test points (leakage)."
            ),
        },
    ),
    Question(
        id="clip_factor",
        chapter=13,
        kind="numeric",
        prompt=(
            "After one backward pass, the gradients of all the parameters "
            "together have a global L2 norm of 20. You clip the global norm at "
            "5. By what factor is every gradient array multiplied, to 2 "
            "decimal places?"
        ),
        decimals=2,
    ),
    Question(
        id="adam_first_step",
        chapter=13,
        kind="numeric",
        prompt=(
            "Adam with learning rate 0.01 and the usual $\\beta_1 = 0.9$, "
            "$\\beta_2 = 0.999$, $\\epsilon = 10^{-8}$ starts from $m = v = 0$. "
            "On its first step, one parameter's gradient is $g = 250$. By how "
            "much does that parameter move (the size of the update, a positive "
            "number), to 3 decimal places?"
        ),
        decimals=3,
    ),
    Question(
        id="forget_bias_init",
        chapter=13,
        kind="choice",
        prompt=(
            "An LSTM layer is initialised with its forget-gate bias at "
            "$b_f = 1$, the default of `init_lstm_params`. What does that buy "
            "at the start of training?"
        ),
        choices={
            "a": (
                "The forget gates start mostly open ($f_t \\approx "
                "\\sigma(1)$, well above 0.5), so the cell state, and its "
                "gradient along the cell path, are carried across many steps "
                "before the gates have learned anything."
            ),
            "b": (
                "The cell forgets its state quickly, so that early, "
                "untrained values do not pile up in it."
            ),
            "c": (
                "Nothing lasting: the optimiser moves the bias away within a "
                "few steps, so its starting value does not matter."
            ),
            "d": (
                "Every forget gate starts at exactly 1, so the gradient along "
                "the cell path cannot vanish at all."
            ),
        },
    ),
    Question(
        id="early_stopping",
        chapter=13,
        kind="choice",
        prompt=(
            "You train with early stopping on the validation loss, evaluated "
            "every few steps, with a patience of $p = 5$. What does it do?"
        ),
        choices={
            "a": (
                "It stops the first time the validation loss rises and returns "
                "the parameters of that moment."
            ),
            "b": (
                "It stops when the training loss stops decreasing, and returns "
                "the final parameters."
            ),
            "c": (
                "It stops after $p$ evaluations without improvement and returns "
                "the parameters of the last evaluation."
            ),
            "d": (
                "It keeps a copy of the parameters with the best validation "
                "loss so far, stops after $p$ evaluations in a row without "
                "improving on it, and returns that best copy."
            ),
        },
    ),
    Question(
        id="seasonal_naive",
        chapter=14,
        kind="choice",
        prompt=(
            "For monthly data with a yearly season, what does the seasonal "
            "naive forecast predict for a month?"
        ),
        choices={
            "a": "The value of the month before.",
            "b": "The value of the same month one year earlier, 12 months before.",
            "c": "The mean of the last 12 months.",
            "d": "The mean of that calendar month over every past year.",
        },
    ),
    Question(
        id="anomaly_precision",
        chapter=14,
        kind="numeric",
        prompt=(
            "An anomaly detector flags 8 time points of a series; 6 of them are "
            "real anomalies. The series holds 10 real anomalies in all. What is "
            "the detector's precision, to 2 decimal places?"
        ),
        decimals=2,
    ),
    Question(
        id="anomaly_recall",
        chapter=14,
        kind="numeric",
        prompt=(
            "The same detector flags 8 time points, 6 of them real anomalies, "
            "and the series holds 10 real anomalies in all. What is its recall, "
            "to 2 decimal places?"
        ),
        decimals=2,
    ),
    Question(
        id="baseline_first",
        chapter=14,
        kind="choice",
        prompt=(
            "You have trained an LSTM forecaster and want to say how good it "
            "is. What do you compare it with first?"
        ),
        choices={
            "a": (
                "A naive baseline (the last value, or the seasonal naive "
                "forecast) scored with the same error measure on the same test "
                "period: an LSTM does not always beat it, and without it the "
                "error has no scale."
            ),
            "b": (
                "Its own training loss: a low training error shows that it "
                "forecasts well."
            ),
            "c": (
                "A naive baseline scored on the whole series, since a baseline "
                "has no training data to keep apart."
            ),
            "d": (
                "Nothing: an LSTM with enough hidden units is always at least "
                "as good as a naive forecast."
            ),
        },
    ),
    Question(
        id="lstm_removes_difficulties",
        chapter=15,
        kind="choice",
        prompt="Can an LSTM remove every training difficulty?",
        choices={
            "a": (
                "Yes: the cell state's additive update keeps gradients from "
                "vanishing or exploding, so any learning rate and any data "
                "preparation will do."
            ),
            "b": "Yes, as long as the forget-gate bias is initialised to 1.",
            "c": (
                "No: along the cell path the gradient is multiplied by the "
                "forget gates, so over many steps it still vanishes when they "
                "are below 1; gradients can still explode and need clipping; "
                "and data preparation and tuning still matter."
            ),
            "d": (
                "No, but almost: it removes the vanishing gradient completely, "
                "so clipping the exploding one is the only thing left to do."
            ),
        },
    ),
    Question(
        id="gru_parameter_count",
        chapter=15,
        kind="numeric",
        prompt=(
            "A GRU layer has an update gate $z_t$, a reset gate $r_t$ and a "
            "candidate $\\tilde{h}_t$, each with its own weights $W_*$ of shape "
            "$(H, H + D)$ and bias $b_*$ of shape $(H,)$. With $H = 10$ hidden "
            "units and $D = 5$ input features, how many trainable numbers does "
            "it have?"
        ),
        decimals=0,
    ),
    Question(
        id="attention_cost_growth",
        chapter=15,
        kind="choice",
        prompt=(
            "A model has read a context of $n$ steps and now processes one more "
            "step. How does the cost of that one step grow with $n$ for an "
            "LSTM and for causal self-attention?"
        ),
        choices={
            "a": "It is the same for both: constant, whatever $n$.",
            "b": (
                "LSTM: constant, since it reads only $h_{t-1}$, $C_{t-1}$ and "
                "$x_t$; self-attention: linear in $n$, since the new step "
                "attends to every earlier one."
            ),
            "c": (
                "LSTM: linear in $n$, since it re-reads the whole sequence; "
                "self-attention: constant."
            ),
            "d": "Quadratic in $n$ for both.",
        },
    ),
    Question(
        id="lstm_memory_forever",
        chapter=15,
        kind="choice",
        prompt=("Does an LSTM keep what it wrote into its cell state forever?"),
        choices={
            "a": (
                "Yes: the cell state changes only by addition, so stored "
                "content stays until something overwrites it."
            ),
            "b": "Yes, as long as the input gate stays closed afterwards.",
            "c": (
                "No: it forgets everything after exactly $T$ steps, the "
                "sequence length it was trained on."
            ),
            "d": (
                "No: at every step the content is multiplied by the forget "
                "gate, so after $k$ steps what is left is the product of those "
                "$k$ forget-gate values; it lasts only while they stay near 1."
            ),
        },
    ),
)

QUESTIONS: dict[str, Question] = {q.id: q for q in _QUESTION_LIST}
"""Every question by id, in chapter order."""

# question id -> (salt, sha256 hex digest of the normalised answer).
_KEY: dict[str, tuple[str, str]] = {
    "sequence_batch_shape": (
        "e47859da23852d1e",
        "958e3cb1989d52bdd50322f4fcdcc726e69bbe03b89b69c69c0024c010df7382",
    ),
    "rnn_unrolling": (
        "d928743e287355ab",
        "29b6d0c9dbe6eae52cd3c7562081916068fe89c921e2a64ba36730e67f751a52",
    ),
    "rnn_parameter_count": (
        "6c08628b25a48f0f",
        "0c70fde9ffdb47fcf789d5f18c0e196647e408a4c4a435d3aff82e061f94ca53",
    ),
    "rnn_two_steps": (
        "4615befe9db41087",
        "d279cc91fd30edebfd9b0c7806fcf35a6ac770e5a2ca58d872b8381121d2caf6",
    ),
    "rnn_step_jacobian": (
        "af82a70212ea7dce",
        "2e209640bbbac495a1de939cf9e127767bced5d291da13320df9131b8e3873bd",
    ),
    "vanishing_condition": (
        "700d33804db823ef",
        "9ac9f6d3ee899cb16070bd47100b8cd79a0d7e69df965845cda922252855c146",
    ),
    "lag_below_one_percent": (
        "2c9a19e101a06382",
        "58e665fe986b7e5294ae1aa9a7eda4093cd6d324620d0e78437881f46fbc3cc8",
    ),
    "exploding_not_guaranteed": (
        "c9dcae963774fcea",
        "6f384ef372163f69e96c240712e3c57deed64bed5d19b5ab73cd4dc369d5457d",
    ),
    "cell_state_role": (
        "89d3b05647a5a0cb",
        "71c287d3cca6629afc7f14e1577a4ab33a8ad1dd95bbb5a296da27be1aed5e49",
    ),
    "forget_fraction_30_steps": (
        "cda869f9aec8a52c",
        "27a15e26191768bfe7e4d3ebb617cb2230006d75ed58f88eb16729f10c91e423",
    ),
    "forget_gate_range": (
        "e611890adaae0894",
        "0a4817f9df16c6323fbc1ed6d28707cad93085820faafb397b7019b53451c203",
    ),
    "forget_fraction_bias_two": (
        "ee78d2c3c72db6ff",
        "06df7e9e14e22081dd18e063ea0dd477c4f16a2028fd39793af9236d75235e0c",
    ),
    "candidate_tanh": (
        "a748112f8202a6db",
        "7cec7e7c53f7499e7f503baa7311f0eb13a9c92a679323fa4e8526d7a0274ec7",
    ),
    "cell_update_value": (
        "aa858c20a8eb2dfa",
        "12e80bfdbd37f87f5c4103b841844f687e58eacb7760bf6b889d12c682708c7f",
    ),
    "output_gate_role": (
        "ca6dd4cf417e7106",
        "bbbfab55889dea8f4db0ee141fd05d3ecda511217b03a39db62ad03261e35f8b",
    ),
    "fused_weight_shape": (
        "959bee4a09b7af73",
        "655b1081ba009229e180d1344661d8f00390f12d2e168ca0e92ae4d675882bc3",
    ),
    "sigmoid_derivative": (
        "f4bcda635ac0fc94",
        "23b2c023d47567d803e5cc74c6d6c5e5edb8bc49e920443c55e4a9928cf3bdd5",
    ),
    "forget_grad_factor": (
        "108e92a1a3ce1d3f",
        "9da40a672cda15556098fae925641ab61a005ff49b5a08474a78d27385629b47",
    ),
    "cell_grad_value": (
        "656ef1835d056502",
        "6d104307215b6bc38cc54de53f090278ba6b156af266357d14e04e24e2e7c104",
    ),
    "weight_grad_shape": (
        "d041c988e487f29d",
        "c709f864e05485c1e319a07c96a48f8c8154773d3a01608a3961df80f8e40cc4",
    ),
    "truncated_bptt": (
        "a10ed8de541af0b2",
        "916af2fe47256e16d22ad7b5fc14538da912c015b12c786f7161dfd12639b583",
    ),
    "weight_grad_accumulate": (
        "abed161ff16ab7c3",
        "4c9a71def5f19d807b6ef5f2832d173f22840a53b3a97c57ef1b82c42d976016",
    ),
    "centred_difference_value": (
        "34c3949b300c15d6",
        "8287ac123afe4c7ae578daec98e5cc7b72437b1718da73f2c22cedad7fca52aa",
    ),
    "gradcheck_evaluations": (
        "b86e2f8314a7f071",
        "29b03fe66e9dd27eaf444edf1da8eea4a8bca23c391b578bf3fb297225f00088",
    ),
    "cell_path_jacobian": (
        "170d01dd88581163",
        "6cee0c711f339fe52a3115711f916c82995bdf8cb9bd1d757d9082232db37895",
    ),
    "cell_path_fraction": (
        "4c7d9ae558a7510c",
        "c52c828743af6cbb640a9330fa9e872c130065ab42a904c59a05f13839845dba",
    ),
    "forget_bias_one": (
        "3ee20781fc9a981b",
        "7ede5b81245e5c3f5af7209f667e8b613a5ab162d6d6205b6ae32e30256cb0ac",
    ),
    "why_gradient_survives": (
        "1f0342bdd1bdd98b",
        "89f0835a3d87f9a42ce2a30f2791a600fa0ca4a440974b44a99357425eb64e2b",
    ),
    "window_count": (
        "71d3e47bfd41e375",
        "48b63da75c02bb5107446671988d74e77d871e710ee1c4b31f60fd0f5b339a6d",
    ),
    "scaler_fit_split": (
        "dbe9b70113b74ee2",
        "397925fde1625c20e7b29bd6d3ca0196cf3eb9c11ffe7cac8613649be5615a0d",
    ),
    "padded_steps_loss": (
        "82d573e4b5f21a31",
        "6a94c65eebee1ad26c881e0cf427789022bdf3cf273e34c1f6e6f74292d63e84",
    ),
    "no_shuffle_split": (
        "07b2c8b630350da7",
        "7dc1897aed59d7c8f2fc04a2daf302e4a7d19ca4c0bc1af08d337dfad0c05d2b",
    ),
    "clip_factor": (
        "6ed887a57be7eb4b",
        "e5e14ec206cea26dc7da0b6d09bb301a202a225c49922d3a1c19a01c53c5ca6d",
    ),
    "adam_first_step": (
        "a7e589664b66c829",
        "767a94d7732551bfb2aedf26f4db41732bcf372f475553048e92d0f13180e2d7",
    ),
    "forget_bias_init": (
        "7bbbe08c2b8a38da",
        "ce24ab8fde4f67a1f552ead5e6753e10b327775eaecc609196c4b0488c6ac386",
    ),
    "early_stopping": (
        "99cd2a6f9bc4dcd4",
        "2c14f66dbf2f7b30ce6c5e55c7cdea45a2a245448339ff388434abd71269a9a0",
    ),
    "seasonal_naive": (
        "28944eea0d8fa81d",
        "bb1f88be7f82690235540b096372cf4c319754f47c28e3c2a6f581bcaa003fbb",
    ),
    "anomaly_precision": (
        "0016ba75eb3a3a07",
        "7fcf0a4d67be8cbe3ad3eb64612795a30f192a87187ea8f888904fde8267ec0c",
    ),
    "anomaly_recall": (
        "3e011f8052f3d931",
        "c33dff9c559115be27d58bf7f46f8432383b2e0064d68bfbaef44e96cd5cd63f",
    ),
    "baseline_first": (
        "73e81a8ae7f8eaba",
        "9a700c9311d164241fea10f2d0041efd47022636b76f6dbb4bb5e8f7d0a7bad5",
    ),
    "lstm_removes_difficulties": (
        "cc010078576b87b8",
        "dca7b36b1ca15ef58b29597e34f2016a21a84c39dd931705b5107ab8452b97cb",
    ),
    "gru_parameter_count": (
        "0a90ab1e610ffcf7",
        "279a733d982caa2ac279f5bdd1a0b1b559f961afaf2e2f466b70dccab4a0ee3a",
    ),
    "attention_cost_growth": (
        "75393b0d365821ed",
        "5e44c93905234654b5f381ce6d1049fd8f1974cdaaa1effc5eb365b5b59cf54e",
    ),
    "lstm_memory_forever": (
        "695a191bb686007b",
        "df003ff7eb6b50936db4aa59175866ccc58cc95e427942038a0f2129378b5a11",
    ),
}

_DECORATED_LETTER = re.compile(r"^\(?([a-z])[).:]?$")
_SHAPE_TEXT = re.compile(r"^\(?\s*\d+\s*(?:[,x×]\s*\d+\s*)*,?\s*\)?$")


def _question(question_id: str) -> Question:
    try:
        return QUESTIONS[question_id]
    except KeyError:
        known = ", ".join(QUESTIONS)
        raise KeyError(
            f"unknown question id {question_id!r}; known ids: {known}"
        ) from None


def _collapse(text: str) -> str:
    return " ".join(text.split()).lower()


def normalise_answer(question_id: str, answer: object) -> str | None:
    """The canonical text of ``answer`` for ``question_id``, or ``None``.

    ``None`` means the answer is not of the question's kind (e.g. a number
    for a choice question) and can never be right. See the module docstring
    for each kind's rules.
    """
    question = _question(question_id)
    if question.kind == "choice":
        return _normalise_choice(question, answer)
    if question.kind == "numeric":
        return _normalise_numeric(question, answer)
    if question.kind == "shape":
        return _normalise_shape(answer)
    raise ValueError(f"question {question_id!r} has unknown kind {question.kind!r}")


def _normalise_choice(question: Question, answer: object) -> str | None:
    if not isinstance(answer, str):
        return None
    text = _collapse(answer)
    match = _DECORATED_LETTER.match(text.replace(" ", ""))
    choices = question.choices or {}
    if match and match.group(1) in choices:
        return match.group(1)
    for letter, choice_text in choices.items():
        if text == _collapse(choice_text):
            return letter
    return None


def _normalise_numeric(question: Question, answer: object) -> str | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, str):
        text = answer.strip()
    elif isinstance(answer, Real):
        # repr of a float is the shortest string that round-trips, so
        # Decimal(repr(0.615)) is 0.615, not 0.61499999...
        text = repr(float(answer))
    else:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    quantum = Decimal(1).scaleb(-(question.decimals or 0))
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = abs(rounded)  # "-0.00" and "0.00" are the same answer
    return str(rounded)


def _normalise_shape(answer: object) -> str | None:
    if isinstance(answer, str):
        text = _collapse(answer)
        if not _SHAPE_TEXT.match(text):
            return None
        values: list[object] = [int(v) for v in re.findall(r"\d+", text)]
    elif isinstance(answer, tuple | list):
        values = list(answer)
    else:
        return None
    if not values or not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 0 for v in values
    ):
        return None
    return "(" + ", ".join(str(int(v)) for v in values) + ")"


def _digest(salt: str, question_id: str, normalised: str) -> str:
    message = "\x1f".join((salt, question_id, normalised)).encode("utf-8")
    return hashlib.sha256(message).hexdigest()


def check_answer(question_id: str, answer: object) -> bool:
    """Whether ``answer`` is the key's answer to question ``question_id``.

    Parameters
    ----------
    question_id : str
        A key of ``QUESTIONS``.
    answer : str, float or tuple
        A letter for ``choice`` questions, a number for ``numeric`` ones
        (checked to the stated precision), a tuple of ints for ``shape`` ones.

    Returns
    -------
    bool
        ``False`` also when the answer is not of the question's kind.

    Raises
    ------
    KeyError
        If ``question_id`` is unknown or has no key entry yet.
    """
    normalised = normalise_answer(question_id, answer)
    try:
        salt, digest = _KEY[question_id]
    except KeyError:
        raise KeyError(f"question {question_id!r} has no key entry yet") from None
    if normalised is None:
        return False
    return secrets.compare_digest(_digest(salt, question_id, normalised), digest)


def key_entry(
    question_id: str, answer: object, *, salt: str | None = None
) -> tuple[str, str]:
    """The ``(salt, digest)`` pair to store in ``_KEY`` for ``answer``.

    For maintainers adding a question; ``salt`` defaults to 16 random hex
    digits. Raises ``ValueError`` if ``answer`` is not of the question's kind.
    """
    normalised = normalise_answer(question_id, answer)
    if normalised is None:
        kind = QUESTIONS[question_id].kind
        raise ValueError(f"{answer!r} is not a valid answer to a {kind} question")
    salt = secrets.token_hex(8) if salt is None else salt
    return salt, _digest(salt, question_id, normalised)


def format_question(question_id: str) -> str:
    """The prompt and, for choice questions, the lettered choices, as Markdown."""
    question = _question(question_id)
    lines = [question.prompt]
    if question.choices:
        lines.append("")
        lines.extend(f"- ({k}) {v}" for k, v in question.choices.items())
    return "\n".join(lines)


def questions_for_chapter(chapter: int) -> list[Question]:
    """The questions a chapter answers, in order."""
    return [q for q in _QUESTION_LIST if q.chapter == chapter]


# COURSE.md: one assignment per part of the book.
_ASSIGNMENT_CHAPTERS = {"A1": (1, 2), "A2": range(3, 9), "A3": (9, 10, 11)}
_ASSIGNMENT_CHAPTERS["A4"] = (12, 13, 14, 15)


def assignment_for_chapter(chapter: int) -> str:
    """The assignment that grades a chapter's questions (``"A1"`` … ``"A4"``)."""
    for assignment, chapters in _ASSIGNMENT_CHAPTERS.items():
        if chapter in chapters:
            return assignment
    raise ValueError(f"chapter must be between 1 and 15, got {chapter!r}")


def graded_questions_markdown(chapter: int) -> str:
    """A chapter's graded questions as a numbered Markdown list, for the book.

    The book prints its quick checks from here, so that the book and the
    assignment always ask the same thing; the answers are never shown.
    """
    assignment = assignment_for_chapter(chapter)
    items = []
    for number, question in enumerate(questions_for_chapter(chapter), 1):
        first, *rest = format_question(question.id).splitlines()
        body = "\n".join(f"   {line}" if line else "" for line in rest)
        items.append(f"{number}. {first} *(graded in {assignment})*\n{body}")
    return "\n\n".join(items)


def main(argv: list[str] | None = None) -> int:
    """``python -m lstm_ref.questions key QUESTION_ID``: print a key entry."""
    import getpass

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "key":
        print(__doc__.split("Adding a question")[1].strip(), file=sys.stderr)
        print("\nusage: python -m lstm_ref.questions key QUESTION_ID", file=sys.stderr)
        return 2
    question_id = args[1]
    print(format_question(question_id), file=sys.stderr)
    text = getpass.getpass("answer (not echoed): ")
    salt, digest = key_entry(question_id, text.strip())
    print(f'    "{question_id}": (\n        "{salt}",\n        "{digest}",\n    ),')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
