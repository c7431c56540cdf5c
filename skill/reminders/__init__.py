"""Workout reminders on the Alexa device: the Reminders API client and its handlers."""
