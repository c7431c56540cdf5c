"""Guided workouts, one turn at a time: guide, flow, progress, store, trainer and handlers."""
