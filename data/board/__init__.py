"""The status board: its rows (one query), this worker's live copy kept current from the `changes` rows that
triggers write for every writer (our app, v2.1, plain SQL), and its actions (sign, approve, discard) with their
e-mails."""
