"""Homeward: offline-first casework for edge-of-care and adolescent services."""
