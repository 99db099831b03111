#!/usr/bin/env python3
# check-potfiles.py — po/POTFILES.in lists every file with strings a person reads, and
# only files that exist; a source missing from it would silently stay in English.
#
# Usage: check-potfiles.py SOURCE_ROOT
#
# Copyright 2026 The Digits authors
# SPDX-License-Identifier: GPL-3.0-or-later

import pathlib
import re
import sys

C_MARKERS = re.compile(r'(?<![\w.])(?:_|N_|C_|NC_|g_dngettext|g_dpgettext2|ngettext)\s*\(')


def has_strings(path):
    text = path.read_text(encoding='utf-8', errors='replace')
    if path.suffix == '.c':
        return C_MARKERS.search(text) is not None
    if path.suffix == '.ui':
        return 'translatable="yes"' in text
    if path.name.endswith('.gschema.xml'):
        return '<summary>' in text or '<description>' in text
    return True  # .desktop.in and .metainfo.xml.in exist to be translated


def main():
    root = pathlib.Path(sys.argv[1])
    listed = []
    for line in (root / 'po' / 'POTFILES.in').read_text(encoding='utf-8').splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            listed.append(line)

    candidates = set()
    for pattern in ('src/app/*.c', 'src/cli/*.c', 'src/core/*.c', 'ui/*.ui',
                    'data/*.desktop.in', 'data/*.metainfo.xml.in', 'data/*.gschema.xml'):
        for path in root.glob(pattern):
            if has_strings(path):
                candidates.add(path.relative_to(root).as_posix())

    status = 0
    for name in sorted(candidates - set(listed)):
        print(f'{name} has translatable strings but is not in po/POTFILES.in')
        status = 1
    for name in listed:
        if not (root / name).is_file():
            print(f'po/POTFILES.in lists {name}, which does not exist')
            status = 1
    if listed != sorted(listed):
        print('po/POTFILES.in is not sorted')
        status = 1
    if status == 0:
        print(f'po/POTFILES.in lists all {len(listed)} files with strings')
    return status


if __name__ == '__main__':
    sys.exit(main())
