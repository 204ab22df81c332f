"""E-mail: the outbox (queued in the writer's transaction), the sender, the reminder jobs and the templates."""
