"""Leg Coach for Alexa: answers questions about leg fat and guides leg workouts."""
