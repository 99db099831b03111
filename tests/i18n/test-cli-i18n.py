#!/usr/bin/env python3
# test-cli-i18n.py — digits-cli speaks German and French: its usage, the options of a
# command (GOptionEntry texts, translated through the "digits" domain) and its errors.
#
# Usage: test-cli-i18n.py DIGITS_CLI LOCALEDIR
#
# Copyright 2026 The Digits authors
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import subprocess
import sys

# (arguments, what must appear in German, in French): each from a different source.
CASES = [
    (['--help'], 'Befehle:', 'Commandes\u00a0:'),
    (['train', '--help'], 'Durchläufe über die Trainingsdaten',
     'Nombre de passages sur les données d’entraînement'),
    (['train', '--epochs', '0'], '--epochs erwartet eine ganze Zahl von 1 bis 100000',
     '--epochs attend un nombre entier de 1 à 100000'),
]


def run(cli, localedir, lang, args):
    # LANGUAGE only counts in a locale other than C; C.UTF-8 is on every glibc system.
    env = dict(os.environ, LANGUAGE=lang, LC_ALL='C.UTF-8', DIGITS_LOCALEDIR=localedir)
    result = subprocess.run([cli] + args, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    return result.stdout


def main():
    cli, localedir = sys.argv[1:3]
    failures = 0
    for args, german, french in CASES:
        for lang, expected in (('de', german), ('fr', french)):
            output = run(cli, localedir, lang, args)
            name = f'LANGUAGE={lang} digits-cli {" ".join(args)}'
            if expected in output:
                print(f'ok: {name}')
            else:
                print(f'FAIL: {name} does not say “{expected}”:\n{output}')
                failures += 1

    # Without a translation the program speaks English, as written.
    output = run(cli, localedir, 'xx', ['--help'])
    if 'Commands:' not in output:
        print(f'FAIL: LANGUAGE=xx digits-cli --help is not English:\n{output}')
        failures += 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
