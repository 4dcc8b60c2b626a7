"""Keyboard patterns (键盘规律密码): passwords typed by walking over
neighbouring keys of a US keyboard, such as `qwertyuiop`, `1qaz@WSX3edc`,
`1q2w3e4r`, `zaq12wsx` or `asdfghjkl`: rows, columns and diagonals,
forwards and backwards, with or without shift.

A pure function: no database, no configuration."""

# The rows of a US keyboard and the horizontal position of their first
# key: each row is shifted right of the one above (q sits between 1 and 2,
# a under q and w, z under a and s)
ROWS = [
    ('`1234567890-=', 0.0),
    ('qwertyuiop[]\\', 1.5),
    ("asdfghjkl;'", 1.75),
    ('zxcvbnm,./', 2.25),
    ]
SHIFTED = dict(zip('~!@#$%^&*()_+{}|:"<>?', '`1234567890-=[]\\;\',./'))
# A walk shorter than this is not a pattern (typing "we" is no walk)
MIN_WALK = 3
# Characters a password may have outside its walks and still be a pattern:
# a keyboard walk with a "!" added is still a keyboard walk
SLACK = 2


def _positions():
    positions = {}
    for row, (keys, start) in enumerate(ROWS):
        for index, key in enumerate(keys):
            positions[key] = (row, start + index)
    return positions


POSITIONS = _positions()


def key_of(char):
    "Return the unshifted key that types char, or None"
    char = SHIFTED.get(char, char).lower()
    return char if char in POSITIONS else None


def adjacent(first, second):
    "Whether the two keys touch on the keyboard"
    if first is None or second is None or first == second:
        return False
    (row1, x1), (row2, x2) = POSITIONS[first], POSITIONS[second]
    if row1 == row2:
        return abs(x1 - x2) == 1
    return abs(row1 - row2) == 1 and abs(x1 - x2) <= 0.75


def walks(password):
    "Return the walks of password as (start, end) slices, end excluded"
    keys = [key_of(c) for c in password]
    result = []
    start = 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or not adjacent(keys[index - 1], keys[index]):
            if index - start >= MIN_WALK:
                result.append((start, index))
            start = index
    return result


def is_keyboard_pattern(password):
    """Whether password is (nearly) all keyboard walks: at most SLACK of
    its characters lie outside walks of MIN_WALK keys or more"""
    if not password:
        return False
    covered = sum(end - start for start, end in walks(password))
    return covered >= MIN_WALK and len(password) - covered <= SLACK
