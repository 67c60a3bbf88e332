"""SQL statements built once and kept, with markers where each call's values go.

A lookup that runs on every phone call builds its statement once per user (the
record rules compiled in) and keeps it; a call then only puts its values in
place of the markers.
"""


class Marker:
    """Stands for a value in a kept statement (an SQL parameter)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<marker {self.name}>"


def fill(statement, values):
    """The code and parameters of ``statement`` (an SQL object) with each
    marker replaced by its value in ``values`` ({marker: value})."""
    return statement.code, [
        values[param] if isinstance(param, Marker) else param for param in statement.params
    ]
