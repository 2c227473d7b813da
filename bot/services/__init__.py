"""Domain rules. No `telegram` import here: services take a session and plain values and
return what to say, or write outbox rows for messages to other people."""
