"""Plain-Python logic with no ORM state, importable and testable on its own."""
