"""Prior-check matching: stored claims that a new text repeats, and how each relates to it."""
