#!/usr/bin/env python3
# test-install.py — `meson install` into a scratch DESTDIR puts every file where the
# desktop looks for it, and the installed files are valid as installed.
#
# Usage: test-install.py BUILD_ROOT PREFIX BINDIR DATADIR LOCALEDIR APP_ID gui|no-gui LINGUAS…
#
# Copyright 2026 The Digits authors
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import shutil
import subprocess
import sys
import tempfile


def main():
    build_root, prefix, bindir, datadir, localedir, app_id = sys.argv[1:7]
    gui = sys.argv[7] == 'gui'
    linguas = sys.argv[8:]
    failures = []

    def under(*parts):
        # PREFIX-relative or absolute option values, re-rooted in the DESTDIR.
        path = os.path.join(prefix, *parts)
        return os.path.join(destdir, path.lstrip(os.sep))

    with tempfile.TemporaryDirectory(prefix='digits-install-') as destdir:
        # --no-rebuild: meson test has built everything, and a second ninja in the same
        # build folder while tests run would fight over its lock.
        subprocess.run(['meson', 'install', '-C', build_root, '--destdir', destdir,
                        '--no-rebuild', '--quiet'],
                       check=True, stdout=subprocess.DEVNULL)

        expected = {
            'command-line binary': under(bindir, 'digits-cli'),
            'desktop file': under(datadir, 'applications', app_id + '.desktop'),
            'AppStream metainfo': under(datadir, 'metainfo', app_id + '.metainfo.xml'),
            'GSettings schema': under(datadir, 'glib-2.0', 'schemas',
                                      app_id + '.gschema.xml'),
            'app icon': under(datadir, 'icons', 'hicolor', 'scalable', 'apps',
                              app_id + '.svg'),
            'symbolic icon': under(datadir, 'icons', 'hicolor', 'symbolic', 'apps',
                                   app_id + '-symbolic.svg'),
        }
        if gui:
            expected['GUI binary'] = under(bindir, 'digits')
        for lang in linguas:
            expected[lang + ' translation'] = under(localedir, lang, 'LC_MESSAGES',
                                                    'digits.mo')

        for what, path in expected.items():
            if os.path.isfile(path):
                print(f'ok: {what}: {os.path.relpath(path, destdir)}')
            else:
                failures.append(f'{what} not installed: {os.path.relpath(path, destdir)}')

        for what in ('GUI binary', 'command-line binary'):
            path = expected.get(what, '')
            if os.path.isfile(path) and not os.access(path, os.X_OK):
                failures.append(f'{what} is not executable')

        # The desktop file names the installed binary and icon.
        desktop = expected['desktop file']
        if os.path.isfile(desktop):
            with open(desktop, encoding='utf-8') as f:
                entries = dict(line.rstrip('\n').split('=', 1) for line in f
                               if '=' in line and not line.startswith('#'))
            if entries.get('Exec', '').split()[:1] != ['digits']:
                failures.append(f'Exec= does not start digits: {entries.get("Exec")}')
            if entries.get('Icon') != app_id:
                failures.append(f'Icon= is not {app_id}: {entries.get("Icon")}')
            if 'Keywords[de]' not in entries and 'de' in linguas:
                failures.append('the desktop file has no German keywords')

        # The installed files, checked as a software centre sees them: the metainfo, its
        # launchable desktop file and the icon together.
        checks = []
        if shutil.which('desktop-file-validate'):
            checks.append(['desktop-file-validate', desktop])
        if shutil.which('appstreamcli'):
            checks.append(['appstreamcli', 'validate-tree', '--no-net', under('')])
        if shutil.which('glib-compile-schemas'):
            checks.append(['glib-compile-schemas', '--strict', '--dry-run',
                           os.path.dirname(expected['GSettings schema'])])
        for command in checks:
            result = subprocess.run(command, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            print(f'$ {" ".join(command[:2])} …\n{result.stdout.strip()}')
            if result.returncode != 0:
                failures.append(f'{command[0]} failed on the installed files')

        # The installed command-line program speaks the installed languages. Its
        # compiled-in locale folder is outside the DESTDIR, hence DIGITS_LOCALEDIR.
        cli = expected['command-line binary']
        if 'de' in linguas and os.path.isfile(cli):
            env = dict(os.environ, LANGUAGE='de', LC_ALL='C.UTF-8',
                       DIGITS_LOCALEDIR=under(localedir))
            result = subprocess.run([cli, '--help'], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            if 'Befehle:' not in result.stdout:
                failures.append('the installed digits-cli --help is not in German under '
                                f'LANGUAGE=de:\n{result.stdout}')

    for failure in failures:
        print('FAIL:', failure)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
