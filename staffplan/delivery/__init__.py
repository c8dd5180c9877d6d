"""Stage 5, delivery: mail settings, the message, and sending it."""
