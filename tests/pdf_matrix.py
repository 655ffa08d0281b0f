"""PDF transformation matrices, for tests that read where a page draws things."""

from __future__ import annotations

from collections.abc import Iterator

from pypdf.generic import ContentStream

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def times(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF matrices, row vectors)."""
    a, b, c, d, e, f_ = m
    return (
        a * n[0] + b * n[2],
        a * n[1] + b * n[3],
        c * n[0] + d * n[2],
        c * n[1] + d * n[3],
        e * n[0] + f_ * n[2] + n[4],
        e * n[1] + f_ * n[3] + n[5],
    )


def operations(
    content: object, reader: object, ctm: Matrix = IDENTITY
) -> Iterator[tuple[list, bytes, Matrix]]:
    """The operations of a content stream, each with the transformation matrix in force
    (``q``, ``Q`` and ``cm`` followed here, not yielded)."""
    stack: list[Matrix] = []
    for args, op in ContentStream(content, reader).operations:
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            ctm = times(tuple(float(v) for v in args), ctm)  # type: ignore[arg-type]
        else:
            yield args, op, ctm
