"""Tools for a developer's machine: local servers (DynamoDB Local), the text console, its launcher, envelopes and a local NLU."""
