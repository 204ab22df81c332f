"""The demo: an Ocat with real targets, users, revisions in every state, and the seeding that ties them."""
