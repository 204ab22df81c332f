"""Revisions: the store (numbering and reads), the submit service, sign-offs, express approval, undo,
history, and the one three-way merge of loaded, requested and current values (`compare`)."""
