"""Launch, the built-in intents (help, stop, cancel, fallback) and the catch-all error handler."""
