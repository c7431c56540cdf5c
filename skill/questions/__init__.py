"""Answering questions about leg training: the topics, the matcher, their handlers and follow-ups."""
