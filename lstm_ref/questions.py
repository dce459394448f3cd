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
    A number given to the question's stated precision (``decimals``), e.g.
    ``0.6``, ``"0.6"`` or ``round(x, 1)`` for one decimal place. An answer
    with more decimals is not an answer (``0.64`` is not "0.6 to one decimal
    place"); trailing zeros may be left out and float rounding error is
    ignored. The digest is of the canonical text (e.g. ``"0.25"``), so the
    key reveals no more than the stated answer does.
``shape``
    A tuple (or a list) of non-negative integers such as ``(12, 8)``; a
    string such as ``"12x8"`` is not a shape.

The rules are ``lstm_ref._answers`` (standard library only), which the
student notebooks carry as source so that they check exactly as here.

Feedback. The options of a choice question are equally long and equally
plausible, so none of them carries its justification. The explanation is the
feedback for a right answer: ``feedback(question_id, answer)`` returns it for
the right answer and ``None`` for any other. It is stored encrypted
(``_FEEDBACK``): the key is a second SHA-256 digest of the salt, the question
id and the right normalised answer, under another label than ``_KEY``'s, so
the published digest does not give it; a SHA-256 keystream is XORed with the
UTF-8 text. Like the key, this hides the feedback from reading, not from
guessing. ``format_question`` (what the book and the notebooks print) never
includes it.

Adding a question (maintainers): add its metadata to ``QUESTIONS``, then run
``python -m lstm_ref.questions key QUESTION_ID``; it asks for the answer
without echoing it and prints the ``_KEY`` line to paste. Then run
``python -m lstm_ref.questions feedback QUESTION_ID``; it asks for the answer
again, reads the feedback text from standard input and prints the
``_FEEDBACK`` entry to paste. Never commit the answer itself anywhere else.
"""

from __future__ import annotations

import secrets
import sys

from lstm_ref import _answers
from lstm_ref._answers import Question

__all__ = [
    "QUESTIONS",
    "Question",
    "answer_problem",
    "check_answer",
    "assignment_for_chapter",
    "feedback",
    "feedback_entry",
    "format_question",
    "graded_questions_markdown",
    "key_entry",
    "normalise_answer",
    "questions_for_chapter",
]


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
            "a": (
                "$T$ copies of the cell, each with "
                "its own $W$ and $b$, trained together."
            ),
            "b": (
                "One cell applied once to all $T$ "
                "inputs concatenated into one long vector."
            ),
            "c": (
                "$T$ copies of one cell that share "
                "a single $W$ and $b$, chained by $h_t$."
            ),
            "d": (
                "$T$ copies of one cell that share "
                "$W$ and $b$, each fed only its own $x_t$."
            ),
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
            "a": "$\\operatorname{diag}(1 - h_{t-1}^2)\\, W_h$",
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
            "a": "$W_h$ has no singular value of 1 or more.",
            "b": "$W_h$ has at least one singular value above 1.",
            "c": "$W_h$ has at least one singular value below 1.",
            "d": "$W_h$ has no entry of 1 or more in absolute value.",
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
            "a": (
                "Yes: a largest singular value above "
                "1 makes the product of Jacobians grow."
            ),
            "b": (
                "Yes, once the lag is longer than $H$ "
                "steps, at a rate of about 1.5 per step."
            ),
            "c": (
                "No: above 1 is only necessary; "
                "saturated units can still make it vanish."
            ),
            "d": (
                "No: $\\tanh$ keeps $h_t$ in $(-1, "
                "1)$, so its gradient can never grow either."
            ),
        },
    ),
    Question(
        id="cell_state_role",
        chapter=3,
        kind="choice",
        prompt="What is the main role of the cell state $C_t$ in an LSTM?",
        choices={
            "a": (
                "It is the value that the next layer and the output read at every step."
            ),
            "b": "It carries information across many steps, changed only element-wise.",
            "c": (
                "It holds the gates' weights, "
                "updated at every step as the sequence is read."
            ),
            "d": (
                "It keeps a normalised copy of $x_t$ "
                "that the four gates read at each step."
            ),
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
            "a": "Because the cell state, which $f_t$ scales, always lies in (0, 1).",
            "b": (
                "Because $W_f$ is initialised small, so that $f_t$ stays close to 0.5."
            ),
            "c": (
                "Because $f_t$ is the sigmoid of its pre-activation, a map into (0, 1)."
            ),
            "d": (
                "Because $f_t$ is the $\\tanh$ of its "
                "pre-activation, with negatives cut to 0."
            ),
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
                "The candidate proposes signed values "
                "in $(-1, 1)$; $\\sigma$ picks a fraction."
            ),
            "b": (
                "$\\tanh$ keeps the candidate in "
                "$(0, 1)$, the same range as the cell state."
            ),
            "c": (
                "$\\sigma$ lets the gate go "
                "negative, so that it can erase part of the cell."
            ),
            "d": (
                "Either would do; the choice only changes how fast the network trains."
            ),
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
            "a": "How much of the previous cell state $C_{t-1}$ is erased at step $t$.",
            "b": (
                "How much of the candidate "
                "$\\tilde{C}_t$ is written into the cell state."
            ),
            "c": "How much of the new cell state $C_t$ is carried on to step $t + 1$.",
            "d": (
                "How much of $\\tanh(C_t)$ is "
                "exposed as the hidden state $h_t$ at step $t$."
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
            "b": "$s\\,(1 + s)$",
            "c": "$s\\,(1 - s)$",
            "d": "$(1 - s) / s$",
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
            "a": "The forget gate's value $f_t$.",
            "b": "The new cell state $C_t$.",
            "c": "The candidate value $\\tilde{C}_t$.",
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
            "a": (
                "It clips the gradient's norm at $k$ before each update of the weights."
            ),
            "b": (
                "It propagates the gradient back "
                "at most $k$ steps from where it arises."
            ),
            "c": "It trains on $k$ time steps drawn at random from each sequence.",
            "d": (
                "It updates only $k$ of the $H$ "
                "hidden units at each step of the sequence."
            ),
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
            "a": "The contribution of the last step alone.",
            "b": "The average of the $T$ steps' contributions.",
            "c": "The sum of the $T$ steps' contributions.",
            "d": "The product of the $T$ steps' contributions.",
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
            "a": "$\\mathrm{diag}(f_t + i_t)$",
            "b": "$\\mathrm{diag}(f_t)$",
            "c": "$\\mathrm{diag}(1 - \\tanh^2(C_t))$",
            "d": "$\\mathrm{diag}(o_t \\odot f_t)$",
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
            "a": "So that the forget gate's sigmoid cannot overflow on large inputs.",
            "b": (
                "So that the input gate starts "
                "mostly closed and writes little at first."
            ),
            "c": "So that the gradient along the cell path cannot explode early on.",
            "d": (
                "So that $f_t$ starts near "
                "$\\sigma(1)$, and the cell path decays more slowly."
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
                "On the cell path each step multiplies "
                "it by $f_t$ alone, which can stay near 1."
            ),
            "b": (
                "The sigmoid's derivative is larger "
                "than tanh's, so each step shrinks it less."
            ),
            "c": (
                "Its cell path has no nonlinearity "
                "and no gate, so nothing multiplies it."
            ),
            "d": (
                "The LSTM clips its gradient at every "
                "step, so it can neither vanish nor grow."
            ),
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
            "a": (
                "On the whole series, so that the "
                "three parts share one and the same scale."
            ),
            "b": (
                "On each part separately, so that "
                "each part is scaled by its own statistics."
            ),
            "c": (
                "On the training part only, then "
                "apply that mean and deviation to all parts."
            ),
            "d": (
                "On none: $\\sigma$ and $\\tanh$ "
                "squash any input, so an LSTM needs no scaling."
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
                "Keep them, with a target of 0, so "
                "that the model learns to output 0 there."
            ),
            "b": (
                "Mask them out of the sum and divide by the number of real steps only."
            ),
            "c": (
                "Mask them out of the sum but still "
                "divide by $N \\cdot T$, all the steps."
            ),
            "d": (
                "Nothing special: zero inputs give "
                "zero hidden states, so they add no loss."
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
                "Shuffle the windows, then keep 80 % for training and 20 % for testing."
            ),
            "b": (
                "Put every fifth window into the "
                "test set, so that both cover all ten years."
            ),
            "c": (
                "Test on the first year and train on the nine later, more recent years."
            ),
            "d": (
                "Train on the earlier years and test on the later ones, in time order."
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
                "The forget gates start mostly "
                "open, so the cell keeps more of its state."
            ),
            "b": (
                "The forget gates start mostly "
                "closed, so untrained values do not pile up."
            ),
            "c": (
                "Nothing lasting: the optimiser moves the bias away within a few steps."
            ),
            "d": (
                "Every forget gate starts at exactly 1, so the cell path cannot vanish."
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
                "It stops the first time the "
                "validation loss rises and returns those parameters."
            ),
            "b": (
                "It stops when the training loss stops "
                "falling and returns the final parameters."
            ),
            "c": (
                "It stops after $p$ evaluations without "
                "improvement and returns the last parameters."
            ),
            "d": (
                "It stops after $p$ evaluations without "
                "improvement and returns the best parameters."
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
            "a": "The value of the month just before the one forecast.",
            "b": "The value of the same month one year earlier.",
            "c": "The mean of the 12 months just before the forecast.",
            "d": "The mean of that calendar month over all past years.",
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
            "a": "A simple forecast, scored the same way on the same test period.",
            "b": "Its own training loss: a low training error shows it forecasts well.",
            "c": (
                "A simple forecast, scored on the whole series, as it has no training."
            ),
            "d": "Nothing: an LSTM with enough units always beats a simple forecast.",
        },
    ),
    Question(
        id="lstm_removes_difficulties",
        chapter=15,
        kind="choice",
        prompt="Can an LSTM remove every training difficulty?",
        choices={
            "a": (
                "Yes: its additive cell update keeps "
                "gradients from vanishing or exploding."
            ),
            "b": "Yes, as long as the forget-gate bias is initialised to 1 or more.",
            "c": (
                "No: gradients can still vanish or "
                "explode, and data and tuning still matter."
            ),
            "d": (
                "No, but almost: it ends vanishing, "
                "so clipping is the only thing left to do."
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
            "a": "Constant for both, as each new step reads a summary of a fixed size.",
            "b": (
                "LSTM: constant; self-attention: "
                "linear in $n$, one score per earlier step."
            ),
            "c": (
                "LSTM: linear in $n$, as it re-reads "
                "the sequence; self-attention: constant."
            ),
            "d": (
                "Quadratic in $n$ for both, as every pair of steps has to be compared."
            ),
        },
    ),
    Question(
        id="lstm_memory_forever",
        chapter=15,
        kind="choice",
        prompt=("Does an LSTM keep what it wrote into its cell state forever?"),
        choices={
            "a": (
                "Yes: the cell state changes only by "
                "addition, so what it stores stays put."
            ),
            "b": (
                "Yes, as long as the input gate "
                "stays closed after the content is written."
            ),
            "c": (
                "No: it forgets everything after "
                "$T$ steps, the length it was trained on."
            ),
            "d": (
                "No: each step multiplies it by "
                "$f_t$; it lasts only while those stay near 1."
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

# question id -> the feedback for a right answer, encrypted (see feedback()).
_FEEDBACK: dict[str, str] = {
    "sequence_batch_shape": (
        "a1c9aac6142a056c0db81ce42c92c482360cfbaafdff8165b5062b1f1598408c"
        "208636cff3541637d700fc9926ec6b3da6fd993beec2b30a23565441044702c2"
        "88e7aaba9bb8fa38"
    ),
    "rnn_unrolling": (
        "284945c2270349f0d31feea7f86141fada7cb63f02dffe09951d256c4b17a8d3"
        "2dfff34c836dedee640e1cccc69a688be1c9cb0c91744ffb1a35cd70a3c5b976"
        "452b7a3051fad9a073c2f3e8eedc23e8c76a50ebc433f19c28002a54566d65c2"
        "85f214867900d0b06ffb5c237b20cfc789db060ec8f954181f6a7b8766c45e0f"
        "31637430ab52f3ffa174e260f669ac2887375fb504d4081470825acbdf2c289b"
        "41cb55d9b605168b318830f6dbcce738706cfca8b523c043c81e21e0cb768ab4"
        "2da4488e20b7759790d05b458ad66742d0138aac35d26b5eb21ed519035acfef"
        "a324db"
    ),
    "rnn_parameter_count": (
        "106b23ee29bc400c3d49687a5e801deac0b714a015d03e196f5c3b2f94239773"
        "3b90cb68cbdddf28301651cd9c552e312551432ced85cf445edf9c510c3ec400"
        "2f7cc268b4b6f21ef9f716bc00c0917aa257bac21c8e84471e8f7589921aeca7"
        "ff81bb433b34d2d5e07869690b45468a2c9a6ffbcb7116f77eda13"
    ),
    "rnn_two_steps": (
        "0608d95b2231e2c47189a492c84e7cd79527e66c479d651631bf9ff311073f46"
        "3dd2656c4bc6320e5ead0c115e1bf1a5a7c746741f5268ac8fbf7f3d06628c4e"
        "c03f21e1218c0dfe2a59698ed6626c"
    ),
    "rnn_step_jacobian": (
        "9d8d7c0ff6f507051f1a2b12c9089bc56f4e5bd672696276516e04d67680a15b"
        "4c416ca5f08c006fee60eea2767459a8786e1a425dd4af2734feb194bd3bd579"
        "91d90fdcbab36e665252584e25ecb18f436a50339c838444047fded720c0a73d"
        "d689aaf5c882084f0fa621dc65e425da6fe28065ccebfa77ee793597e2ad6fc3"
        "77cfdd217279641a1e1c5c95a4ad1144cc5d94406d79adbd962c298703f01aa6"
        "f46ccbc7"
    ),
    "vanishing_condition": (
        "881709f212433f4ce796dfb502e9e6db4d15971be5e6d5295b9f1f09c09cdc2e"
        "8996fe067123bbe04d30424f6c6b68ad172d244deba1cbcc150e6662af4ab5cb"
        "47fb80400dea1f904f063d126a32dd33cbe6b71276a9a1e72a40dd488fdcb02f"
        "83abc4705b96f633f2afe85aec6bdca27a56f1eef617854492785fb550f1056f"
        "1d2f40d8201d7164253199c67be9e0c54b34051cef290429b3fccaf666f9c44c"
        "882db5057372c3f07bb7edd5de61a5213218c530b2475798fccda1ae44541771"
        "0cd63f4cd728ebafa3ed5f55e08e93aca64d1698f8411cb2c7e56e4163a02aa6"
        "c7efe8312ecadf5f81d859b62a323c661416c1d2624ea1390e57c54483f20a1b"
        "c8fb52bc7340b0e4db636a"
    ),
    "lag_below_one_percent": (
        "182fd26c9ddbcf082ccd6bec05e8618d5270aaa58f2666a9abec6d4d80cbe68c"
        "140e4887955b1b05bc8d37c8e19cd8a5a2df36aa86ff6f50f54e290c918f8a8f"
        "ee8c026319dd27a1b999ce6bad56c552cc204289d5e0de67a9fe7b2b4e1b59d3"
        "6cbb7abe526f10699f1634"
    ),
    "exploding_not_guaranteed": (
        "81d9171265b0eda2166aac8346c25e9924c20381ac7600f3de4c3e36669b13a2"
        "8709cf427c460d4c464de9d87ddaccbbbb6915437db593c0988768b696cd2599"
        "3e1fb45c561796b09763d20dae9a8cf2ccd97ade43c7dcdfd594c3f31d81d576"
        "fc43850889872b1090d6b1e0342ba45cfe66ab7d05ec551d4bccef1b81191143"
        "e2bcb1b80b2a044c055db4477f1c0f0e36d44f4aaf5e61a65aab9ef9dcfe3604"
        "9f2091b8e1194f79592e2c0f67601c0cadfb8f64542adfe9dd8be72b57233058"
        "3de5fcde0b9db9399c3fd6a25ec729eaf9d66182eaf4682ae7af4c0d4e06a89b"
        "2034a2"
    ),
    "cell_state_role": (
        "0d37febf3f448beef12560648086e32a55b4bf75a3dde06c1108c91208b5c77c"
        "4059bb003c2b7cd94d68973f769dfece73dbdd1430fd58dd2f4338e7f132fd0e"
        "c104e4e19d64b27931737f5ca4a67162717fa1bc329fa4cbb3b7f54e0d0cd1b8"
        "dad7f0914a584cfe2319635fdbf9dffe50ef3b9c14653456becea78d604640e6"
        "2224c1d5edf07ef9918a0a27c29975aa1eee0202008dd7409dd5f7975c49efe4"
        "6e1482624ba27e22d233faa6f331827acd87e437880103653a160309c21108e7"
        "5f3e67618334506cfc3e9929d6fe563cbd3e7c1d26fb340961ba642924fbaaf0"
        "05b3f3501faf"
    ),
    "forget_fraction_30_steps": (
        "e0d2aae9c9f8f01a9c21219afd0cac76da5a6f84ba031abf183fd83d377ee2b1"
        "bbb3370e8ae7d90a2fd206d01da2012cce86f8d37d82593007a9a8771d06d436"
        "8267ebfa5a8ad884177875e176e33d34"
    ),
    "forget_gate_range": (
        "301bc97511f7cce2f9b113111cf33070affeb9ae2b43cdd424bf3ad2551492a8"
        "6687e2c15884260e9edc3ab9ae164d7594609eb7d3fc5eb39eb6716a696d04be"
        "bb1a4c53917f28f5352f6481561c6b0c4f8c1a2e7255003082855cf08d9ef432"
        "b8d72219dc6f5b0bba46bf13a6867d9df7ff0fc7ea9daa80a3f9398f66649d6b"
        "6b5c20b19a5ea32246f1c3f638711d1c3f1494e627b25aca4f085b44d01562e3"
        "84961375f5401e6b3a5b5a070427c3de44554446225c3a4e48b306b1bd8e1940"
        "09"
    ),
    "forget_fraction_bias_two": (
        "ab2770d08c3d39ff3c3c02c4de44f234de8edb255c49e4d709c7db1e036cff34"
        "af842df8d6a915eb60d121bd988f7f77bb3f3c5bd4b04d0c920df480b818f7e8"
        "d1c2b80aa909f1a9148086c2"
    ),
    "candidate_tanh": (
        "b8295349c57f711f1ac0ce55ffca6f8936621d1f239f6b21f4a4043248bbe274"
        "5d088672797290efdfda274f04685585309237eca542189d435b199d05b60613"
        "65b261a1ee72c4e1c4df6e279398f9de0905e2d5143f2c86dabe7505bf3fe2dd"
        "c09dc06409feefc43a711a2d1ce7db1f4ea0ec40c7ad026c63f7c0cf8ca2df60"
        "634ae39b2fc0e3923734926cf79f68bffa9dfd212cf4638dff2df48a919078c4"
        "b7b89bb52dca9a8dda277da9440acf65d51552f0408e"
    ),
    "cell_update_value": (
        "ec9682afbdd9a020c67c69d7ad389288a1b75ce01d667500e0b6b88885788136"
        "921201c6ddd5965f686138596e34bcbbc2c353aa96fc20014603b9468a7975f9"
        "ceff2765b332791264f5ce5f58857286fe320d17406ec7b2eaf5c5ff4b987fcf"
        "8b"
    ),
    "output_gate_role": (
        "b40ec77b5cf4201a2d80af516f8e38500d9cd0a08757d81665898c07ff08b498"
        "b3dea8a1d8b0785d36475317f2db45a5070daea19e472d7e02b4521f7274e56a"
        "5eb7439124fced90a1eaf25c5928061fb315ab81eb0971f8ccdfad2baacfb319"
        "81f5ad80ca20fab3cdd7a0cae0fe405722d0cedde247dea044db35530a4db0c5"
        "1781290ccfbb5a184b062c5a1b3e7f8b90abb3f9691b6e47c51dcb2375f68f90"
        "1340baa993d3a79f6be738b10d01824cf5d38302de752e526e484aab6c162325"
        "ef76c8149d0a65"
    ),
    "fused_weight_shape": (
        "47088c713e0f41cf5b6ee6707a8f396268516305596297c45d0a8e22032cf86e"
        "41852c3f6cc9920a120a2a6cc0af7a0bee9c4cf700cc52d55e31d0bb208672cd"
        "e5b0560d99d3525519f2c1a0d8fa"
    ),
    "sigmoid_derivative": (
        "27478bcf09da8b78310f5a373c810a5c24e7aa66a6a12cae3ed750083c3c4981"
        "bc219d0ed62397a0f100d0637f371950c46aa12a90f95fed8637ebb14fb48731"
        "22eef8d3422d0ebaaf3fa4c05e0bb430ebc4108b0b03498e9dc0ba30c88df7a8"
        "cacc3929d4edd268f88f30e9b127bc109685b8cb2982a2c8"
    ),
    "forget_grad_factor": (
        "d58d8db9811674794684bd813a64333da62aa452aa425bacb8be3feda41b8f56"
        "a79d1761c68e5e513baf8b194d92b3a66814f84c0b8e4b545ac43d747e7e772e"
        "820f955702f0ed9338180bda7803d8943d828e14e772e615a844431a785a2358"
        "19cc2c60bce88282ae6b8fff18823a2153a22c01090e6551e54d09fdd283af07"
        "b6"
    ),
    "cell_grad_value": (
        "085da12c20a728bc6a3dd7c8519ce8685676d6290f426ea05b2c6b0db8448432"
        "5fe534cb02579934ec2c70e4cdd6afe4040c66459ba5ff24c13e26aa883412e7"
        "108e0e7546827fdf815641035cae0c608fbefc8ee82ffa9bd533e0d27609d512"
        "7cc9877c131823a2a46812667b13397e190465b0b2326d4a0b40b190c66bce9f"
        "02604266c6e45bce179bd0bbb8963f628488947e9832"
    ),
    "weight_grad_shape": (
        "108144bbb097567e230838bac94a1b4df2404ca96ccc0478f3b8542ad868af0d"
        "cc72d31a956536229af51d02917e4a4386e548b242ce605a10f88da3ff6f20d5"
        "3905c215da2de9b0347d1373b73fa8f3c7735409ce05"
    ),
    "truncated_bptt": (
        "646a7fe765f787afd0df36a1e1394098527d3125c25025f71419f737337ad168"
        "2c7400d5ebee6541ed2892956db4b1dff2cb4fd3ab93b33b3760062dc5fcad94"
        "d2431f7521c11a348fd7f99d90f1916b42bfe4c0e2912a73acc0b95f21afb1db"
        "ca36eaf84ca846fdbece1c1b915cd03057f38c58f7fd4af09bffdf6efbf8ce8d"
        "826e62daa6c45e0e3f755209cc5f3b965ed533ddc017"
    ),
    "weight_grad_accumulate": (
        "b35a37d59add43d1177387c34c1b551390dd14adfa8e5e8de20bca148c57315b"
        "bb6efbd366e59a24b2274889b66b2ae561b5cc1151f7c42538b5cb2bc3291e0b"
        "9d4f31f4539ea2165539ab28df4e6b9d400735aa4d318ff14fc37b583fbf60c0"
        "f71d47d8034174798a937ae677b66623b614f12ec103c7ea3012294e59c84a77"
        "f56096fa58a5c398b7bbce57ac47975e7fd4626df229394d8f158770fce2"
    ),
    "centred_difference_value": (
        "f9a3523cf6a7e188f5ac1bc11a375faeb9c3ad0f6a94cdea9cc82e5658eac0e3"
        "bf034ef7da3d5905460a7f93dfe3324ad1cce74798a23f026ebba45fcb2cb582"
        "b6d9b40a1bf0c32d424a0540dc7218d751e55668986ae5f27e2ba78f33ea041a"
        "7f8a50fe574642"
    ),
    "gradcheck_evaluations": (
        "02cb41e02ecdaf78b7649c0f55b0a315ebb9ace155930a8f4315183cd143d0ab"
        "f216cd5c6de96078ae9790ecb18f34b8ea1fed756e7f5a99d11e00d2cc11e899"
        "23363681a27e96ad0163fdb7"
    ),
    "cell_path_jacobian": (
        "5f12ea02274e431146d1dbebede2d574c98e136a6db0f1017d0f8b7096a3095d"
        "82b9f67a1508b977b7209df03396dd61e2d908d17d20e1f7a602fb1644663192"
        "e0838eae5b38e3cf5ae88582da1e97f41527f95bae92da0c081984ffa604c7fc"
        "828a1d716b928c994d3fbe874e6fec268f34b653f6b0c9b4b5c2fe027f1034d0"
        "0e0c6898433d1ec3622b592b7bfe05c115d4baa912f9760299b168142ac43351"
        "1a43bc6ff45d439d009e9e4ad8555ee9b1bc20ad884bf15deecbdeaacedd"
    ),
    "cell_path_fraction": (
        "4218105526a2d0564958d34644341aaed3f8d83e35a36496a63543522c8484ef"
        "886eafcf90f02823601036e30f16cb65cf00232ff51070dd5ba52de48984b019"
        "374a749cf6e47239e97997b1af9f185fa63b355eebeeb425079e8adb677a722e"
        "004ba2dfa5585da7"
    ),
    "forget_bias_one": (
        "e4a9caf8b97ab980d6221ffbffaeb11194c21abba035346ffc1e8543f1e42138"
        "ad07c0141edec485443d17da0bb3ccff668a979905dda9573fb7516f6dfae9c5"
        "a2958fa606b6df863b9fc6664bd6cafbab45e0f7f910d22474e22d0f4d8707c7"
        "b150a164bad4522c06cff1372b9a31f29c06243515b22fcc9d60ff1802bebbfe"
        "adaf78af0cf581e224ca5b7f23edfb04e2a40dbc66cd4cfe7159a8f6e8b025c7"
        "09ce81430e61e4b294750fd4a1acb6192d3ce07ecef581a861159866269248ed"
        "f1bfc06f4f62d3e6c4e3cb2d57b27bf58be87c28db2de3e6291670fe66b9557e"
        "4f0d88dfd057f1ab80a42f60cbdbbe3846e577875de9fde70a552c48608c474f"
        "6f02bb305d28be145a6e98"
    ),
    "why_gradient_survives": (
        "2ff3abd373ec86776950b238e3340e60e6c2956e7f6a20018cf5a49ef19ad84e"
        "e54f45b39f1412261fadf3ec6daa0c91d09c91e560ebf54da13f31df7ae1007a"
        "028367a30cfc979873fd1757988b14c0be3e376eeded7bfd4d0ad63b7c725da5"
        "93605a7e0275d9130c8becfebcca69ca4b853396a1bd5ed998b7d443dc1b226c"
        "8487bfce0a1c522d7ce869f6b33dd7a6b0c98d4e69011d22e0c1387248148879"
        "8812bac7d2e60cabc054ea333e7eeab33c134c63114d5810f07408cb889a18"
    ),
    "window_count": (
        "e5626e98afd1ab704b39f485f9e8004f3646b88cac93140bc584856b63a4f48c"
        "59d9b1fa373b8894604c8a6dd1c42d11cd989d06b1f5363b00fb9fc9a658f7e2"
        "0903b7008ea46e612f6238c49d61f25df1a3a0c5199a5cf28e169f69aa0fb987"
        "42e1bcd7fc9d04152ed7788755fe3af01744d830907417a7"
    ),
    "scaler_fit_split": (
        "01f4d1fb46d9730464cc58f3dbc49cb156fbee249bec41c13dd09514fd94008f"
        "ccc919190fe6bfaa9c477d466503c4edd6d1491a69227348dcc12d4324995833"
        "40eac00ddc43cb0f542d878118a597f6475aca3139c113b5a62e0d7e283ff7af"
        "173f3b80b55657fae74c7f934449d372799afc9f78657e13d3de88b28dd1f232"
        "fcec03664685f838125a14807727368f0d437052a853bc2efc8bf46d4ca94f74"
        "ecf40c00936b4b92f65ebf5bb51563bceed8b720e8d12897f86b12ed8376c3f8"
        "1f61cdc9118c3697a6479becb3"
    ),
    "padded_steps_loss": (
        "933b819364f0c1ad2fa3f640aeee3f67b87cdcffd1472b7aae2810bfbe471b5b"
        "45f6572f5bb9b8b2261bd86e4950d660256c9cba1f6c8d58a34a8004ca881527"
        "561fbcf7549af7fccdb7ec405642cdf06a949e41e39fdb04a072ec987912cac5"
        "ee0165bbc51e7cd7b2aa628d5bf196d33b151e4c"
    ),
    "no_shuffle_split": (
        "3fca58a6313c8d181a74c42b3f9be9930fb6e1ddd2378ceafd8ece646d7202b7"
        "355e24f7a86257b649b122ab4909b5dc05e7c0d63bd1c9a42aa3216522a8e5a9"
        "4ae1772325c9b3c2dbadf27d2bf059fb168c13672434eaa4bb9233ec8fe9aa2e"
        "8e8ba7a2b44c5244bf2f3637636cd7cac9b2d2d0a351d438a23d22023f4e777b"
        "0f9c8aa38d4a32dc3fc59c742de17a11a7cce198d289c26fc4187b"
    ),
    "clip_factor": (
        "58e7b75800396da016041d41e5bf212dc49c8e9767b53c788f13cc82dd1c2b4f"
        "64355687504eea32f076ff27fe37b419a844e3ecae462743830be0f9d48963d6"
        "ce8ea080a2f5f1605843e0bd8d9c388490191341ff"
    ),
    "adam_first_step": (
        "8ffeba6c1d5ac326829d234836598cefa2ffe096558527879100a886cc86b625"
        "afb99c150a13274bd605b01b700c7a76a3e3d0196ef8db086a267a0c398d14bf"
        "6e99cec4aba4e29cd231c3d26f99b93a7459fda1662a7c3298e827488ba6d20e"
        "a087e01e7bffb8b878d1c60f2f3d1f0f3f404b46945a59aeaaa36fa41f28c5c4"
        "ffd8c54ca164a1fc3342142d9c027a3ebd80b43ef5f7a9894ca5720174183952"
        "3f2c3fbfc99070"
    ),
    "forget_bias_init": (
        "43494f4e828f13022e5a4eb92e43267d71f4e9ec0f82e405ba451f3002628c3f"
        "ba5ceb84a208db18ff0bbdd42380954d9ecfb65e0b8a0a323ee8074124cfbaab"
        "c0f57fe72ed439ae4c295c3549c388d7754aebf443ffeff759030606c3ca5cf2"
        "816ea2bbe7b1334362a1b7a0252b7589cf7108745416b367eb7d0b45a1c0e5e7"
        "3baafa0103dd12c4a5d910b5f16154ed4e51b94a5f0261a9f3792be2b696739d"
        "598d2121513a145d57012e3d690a34da9c6225b85ce0940b696f6268bee12f94"
        "4b8efb335236e44b0a601aa28fe459f7a8f5854d9800e045da94f216b0165b27"
        "881d364c40a5d4dc1d71ee1b38c4d4002354b13cdfa4916e"
    ),
    "early_stopping": (
        "0b1031e7e7c73aea04f95959345fd10a6c9868f418044b094f20bbaf0efef1d0"
        "80135bdcf8f7d1583d91a86cee5525919f24cddde1b64d68163fc888aa83473b"
        "aa81261a98c8c9276a6e070042c58e7eb80461797bb18d120e58865a82b322ae"
        "b9900da713f2bb4dddc4fc550ab4d383ade264e1006a7ca8c1d6efcdf83afb74"
        "b9cddc54cb0f83baf972f013db11f3a06ee3a64c88232082ae5bea53062e6289"
        "19"
    ),
    "seasonal_naive": (
        "116da29452fdc245d718bad32479b68d551460cb4c895ae7eca71311bb3efc57"
        "5073bab5c663b6f0fadb966077a9a1a207312cab34168fc0ee0a1e9df004342e"
        "da94dad10d81b221d64e0a2f91d1395c269dc9ede1b37ea4c582ac1382d1"
    ),
    "anomaly_precision": (
        "ff4545744ec5bd9bc19da5aeed22b382c9c93c7da47cb98114a8e3924e5e4ee0"
        "0b1ee1a18e6b6836d37c7d886f2f1df79e653adafed5cfc399d45a8643d8ad62"
        "ff1d"
    ),
    "anomaly_recall": (
        "2fe4953207f3afe61f029d158ceb5899f799b81ba4fac44dc332406280b06cb9"
        "080a4e4c3ab94e353f602add1726d53f029ff6ea068ac3e5966d5ca665f933bf"
        "f1e8f587"
    ),
    "baseline_first": (
        "aca3a0cb48599e903fb3f3634e671b0a5ab3d139fe2fd9acd8709860dfa196ad"
        "1d5096b26e7b640e20d48ca81bb534d5e2edbc59ac486785432ac2fe7164335e"
        "1e7d13a2ea653cfd910e4611fe60bfce3b37f9cddd3d8c10b94ad0bc72629c14"
        "3e62de8875f7bb33e19bf75e6c1a5a662784630737be49ae49742a951bd7c7c6"
        "fd688c0030ef176afe25f3dd47765f3579922cc612dac4b961e14704e08c4121"
        "e21ca1bacdce12d515e1f2f3ba9e4ca06a093177146ec24f1cb0c54259eb3789"
        "6a62504105425d179a3336a5"
    ),
    "lstm_removes_difficulties": (
        "c096b8b56dd423ed280fbff98885c72f18b6379200b4fcb36b9d0d23518a38ec"
        "bc4961bf2db67e1a1906741bb4a8ab304bbfc35e279c9afdd10be7fd31215140"
        "0ce7e22c47ea020a373a8dfb3eb5e4cde687634fa1b98314697c42e4c0dae466"
        "53658f5cf30470cab2f313a44436fe99464f7bfabc95a225a40816b39b953fc4"
        "7937ce6cbede7a156661de53b924fbd93fba7a54f44f6562cab744b83b63cf67"
        "c36ce45225aa29ee621d183ac01582d2888fe46cc4b3bf0f48990ba43cee6099"
        "e215dcedc3034873ceeb8b7dfb50cea14cd0f269fc956d91b525417c"
    ),
    "gru_parameter_count": (
        "045adf5826502c0eabe8fa66621cc1b76cc69aff6cade24eb3b49ca80ee0a11e"
        "abf87d976786af388b950ca204f418eb6a75042e80baca918315d0ad56f5cbab"
        "52dfbbaed802919a7cb67b7327c169"
    ),
    "attention_cost_growth": (
        "0fd71fdfce8320617280e442ad3bfb89bb449d984949e61639fbddb8f8341a61"
        "a84b3afc06b7b4291698a5f3c4e736b83c2ffcb0999427387b9ad9480ccc7fcd"
        "db29c4f35636ca3cbd582dd0621567e9721b63f3bab08daee9d85b62356d7b9b"
        "0038cfad7b11517b73454087931c3e5e67d11575d20ee5b257c34353a02f84e3"
        "ea2998c963d085f2a554dc3e1bfea44dde85c1ec7d241c98b7f6cdf5991b1dc0"
        "414740ad6a65dde5e9de4d10ca45068e42ba0fcc87c5662e258879a399cf8151"
        "d6b31203722613baf6e246fb3ff0bafa52bb1536ad2f0729c3c421b072"
    ),
    "lstm_memory_forever": (
        "58318d07c926e7dfab1e0db119e94a7f56ef76d8955f4cd314d86d3f88c5271b"
        "4582d9fedb5584e69526fe9026714241e1f86d7224aea017bdbbfb2fb384f09d"
        "c55951f803eb29021094808358b7d47ffc16ddabb559ff7f810bf14ed38d1fb3"
        "a5926624a4a0bdc550fc1eba514f1bb21bcde06ed0a6f287cd800aeaf891935a"
        "2335b3a1f1df8f41318499804dc6b13543c434f7d2e945f543d907124a820912"
        "5a74025877"
    ),
}

# The answer-checking logic lives once, in lstm_ref._answers (the student
# notebooks carry its source); this is the course's key in it.
_ANSWERS = _answers.AnswerKey(QUESTIONS, _KEY, _FEEDBACK)


def _question(question_id: str) -> Question:
    return _ANSWERS.question(question_id)


def normalise_answer(question_id: str, answer: object) -> str | None:
    """The canonical text of ``answer`` for ``question_id``, or ``None``.

    ``None`` means the answer is not of the question's kind or precision
    (e.g. a number for a choice question, 0.64 for a question asking for one
    decimal place) and can never be right. See the module docstring for each
    kind's rules; ``answer_problem`` says why an answer is not one.
    """
    return _ANSWERS.normalise_answer(question_id, answer)


def answer_problem(question_id: str, answer: object) -> str:
    """Why ``answer`` is not an answer to ``question_id`` (``""`` if it is)."""
    return _ANSWERS.answer_problem(question_id, answer)


def check_answer(question_id: str, answer: object) -> bool:
    """Whether ``answer`` is the key's answer to question ``question_id``.

    Parameters
    ----------
    question_id : str
        A key of ``QUESTIONS``.
    answer : str, float or tuple
        A letter for ``choice`` questions, a number given to the stated
        precision for ``numeric`` ones, a tuple of ints for ``shape`` ones.

    Returns
    -------
    bool
        ``False`` also when the answer is not of the question's kind.

    Raises
    ------
    KeyError
        If ``question_id`` is unknown or has no key entry yet.
    """
    return _ANSWERS.check_answer(question_id, answer)


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
        raise ValueError(
            f"{answer!r} is not a valid answer to a {kind} question: "
            + answer_problem(question_id, answer)
        )
    salt = secrets.token_hex(8) if salt is None else salt
    return salt, _answers.digest(salt, question_id, normalised)


def feedback(question_id: str, answer: object) -> str | None:
    """The explanation shown after a right answer, or ``None``.

    Parameters
    ----------
    question_id : str
        A key of ``QUESTIONS``.
    answer : str, float or tuple
        A candidate answer, as for ``check_answer``.

    Returns
    -------
    str or None
        The feedback (Markdown with MyST math) if ``answer`` is right and the
        question has feedback; ``None`` for a wrong answer or no feedback.
    """
    return _ANSWERS.feedback(question_id, answer)


def feedback_entry(question_id: str, answer: object, text: str) -> str:
    """The hex text to store in ``_FEEDBACK`` for ``text`` (maintainers).

    Raises ``ValueError`` unless ``answer`` is the key's right answer.
    """
    return _ANSWERS.encrypt_feedback(question_id, answer, text)


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
    if len(args) != 2 or args[0] not in {"key", "feedback"}:
        print(__doc__.split("Adding a question")[1].strip(), file=sys.stderr)
        print(
            "\nusage: python -m lstm_ref.questions {key,feedback} QUESTION_ID",
            file=sys.stderr,
        )
        return 2
    command, question_id = args
    print(format_question(question_id), file=sys.stderr)
    text = getpass.getpass("answer (not echoed): ")
    if command == "key":
        salt, digest = key_entry(question_id, text.strip())
        print(f'    "{question_id}": (\n        "{salt}",\n        "{digest}",\n    ),')
        return 0
    print("feedback text, then end of input (Ctrl-D):", file=sys.stderr)
    entry = feedback_entry(question_id, text.strip(), sys.stdin.read().strip())
    chunks = "".join(
        f'        "{entry[i : i + 64]}"\n' for i in range(0, len(entry), 64)
    )
    print(f'    "{question_id}": (\n{chunks}    ),')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
