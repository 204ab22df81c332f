"""E-mail texts (data-layer.md §6, ocat-data-page.md §10): builders return `data.mail.outbox.Mail` objects.

`common` holds the header lines and links every message shares; `revision`, `signoff` and `schedule` hold
the messages of the editor, the status board and the duty calendar.
"""
