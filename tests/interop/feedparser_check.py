"""Reads feeds with Python's feedparser (Debian's python3-feedparser) the way aggregators do.

Usage: feedparser_check.py EXPECTED_ENTRIES FILE...  Exits non-zero on any problem, naming the file.
EXPECTED_ENTRIES may be `+`: at least one entry (archive documents, each a month).
"""
import sys

import feedparser


def check(path, expected):
    problems = []
    with open(path, 'rb') as handle:
        parsed = feedparser.parse(handle.read())
    if parsed.bozo:
        problems.append(f'not well-formed: {parsed.bozo_exception!r}')
    if expected is None:
        if not parsed.entries:
            problems.append('no entries')
    elif len(parsed.entries) != expected:
        problems.append(f'{len(parsed.entries)} entries, expected {expected}')
    ids = [entry.get('id') for entry in parsed.entries]
    if len(set(ids)) != len(ids) or None in ids:
        problems.append(f'ids missing or repeated: {ids}')
    for entry in parsed.entries:
        if not entry.get('published_parsed'):
            problems.append(f'{entry.get("id")}: no published date')
        if not entry.get('title'):
            problems.append(f'{entry.get("id")}: no title')
        if not entry.get('content') and not entry.get('summary'):
            problems.append(f'{entry.get("id")}: no content')
    for problem in problems:
        print(f'{path}: {problem}')
    return not problems


def main():
    expected = None if sys.argv[1] == '+' else int(sys.argv[1])
    results = [check(path, expected) for path in sys.argv[2:]]
    print(f'{sum(results)} passed, {len(results) - sum(results)} failed')
    sys.exit(0 if all(results) else 1)


if __name__ == '__main__':
    main()
