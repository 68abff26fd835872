"""Fixes: libcst transforms for the edits rules propose (``transforms``), applying
them together safely (``engine``) and the ``--fix`` / ``--diff`` loop that writes
files (``run``)."""
