"""The Ocat, read only: sources (SQLAlchemy or sqsh), batched reads, look-ups for lists, the shared cache of
look-ups, and the flat files under OBS_SS."""
