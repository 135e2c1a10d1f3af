"""Passage: programme workflows with human gates."""
