"""A read position over the descriptor text, so every error can say where it happened."""

from __future__ import annotations

from kansa.custody.errors import DescriptorError


class Cursor:
    """Walks the text left to right; ``pos`` is a 0-based offset into the full descriptor."""

    def __init__(self, text: str, pos: int = 0, end: int | None = None) -> None:
        self.text = text
        self.pos = pos
        self.end = len(text) if end is None else end

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < self.end else ""

    def at_end(self) -> bool:
        return self.pos >= self.end

    def error(self, reason: str, at: int | None = None) -> DescriptorError:
        return DescriptorError(reason, text=self.text, position=self.pos if at is None else at)

    def found(self) -> str:
        """What stands at the cursor, for 'expected X, found Y' messages."""
        return repr(self.peek()) if not self.at_end() else "the end of the descriptor"

    def expect(self, char: str, what: str | None = None) -> None:
        if self.peek() != char:
            raise self.error(f"expected {what or repr(char)}, found {self.found()}")
        self.pos += 1

    def take_until(self, stops: str) -> tuple[int, str]:
        """The text up to (not including) the first character in ``stops``, and where it began."""
        start = self.pos
        while self.pos < self.end and self.text[self.pos] not in stops:
            self.pos += 1
        return start, self.text[start : self.pos]

    def take_word(self) -> tuple[int, str]:
        """A function name: letters, digits and underscores."""
        start = self.pos
        while self.pos < self.end and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        return start, self.text[start : self.pos]
