"""Where requests come in: the Flask app, the Lambda entry, request verification."""
