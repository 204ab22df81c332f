"""The status board: its rows (one query), this worker's live copy kept current from the events, and its
actions (sign, approve, discard) with their e-mails."""
