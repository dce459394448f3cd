"""The assignments' test machinery: ``common`` (NumPy only, copied into the
student notebooks) and one judge-side module per assignment (``a1`` ... ``a4``),
which the masters' helper cells import and which may use lstm_ref."""
