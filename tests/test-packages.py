#!/usr/bin/env python3
"""The README's first command installs everything the build needs, and CI installs at
least what the README does.

For every dependency() and every required find_program() in the meson.build files, and
for the programs meson itself runs (the compiler, gnome.compile_resources, the gettext
tools, what gnome.post_install runs), find the Debian package that ships it (dpkg -S on
the .pc file or the program) and check that the README's `apt-get install` line installs
it, named or as a dependency of a package it names (apt-cache depends --recurse). Then
check that every package the README names is in .ci/run's list too.

Usage: test-packages.py SOURCE_ROOT. Exit 0 when all hold, 1 naming what is missing, 77
(skipped) only where dpkg or apt-cache do not exist (not a Debian system).
"""
import functools
import os
import re
import shutil
import subprocess
import sys

SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

# Programs meson runs for the build whatever the meson.build files say.
BUILD_TOOLS = ["meson", "ninja", "gcc", "pkg-config"]
# What a module function runs, when a meson.build file calls it.
MODULE_PROGRAMS = {
    "gnome.compile_resources": ["glib-compile-resources"],
    "gnome.compile_schemas": ["glib-compile-schemas"],
    "i18n.gettext": ["xgettext", "msgfmt", "msgmerge", "msginit"],
}
# gnome.post_install's switches and the programs they run (mesonbuild/modules/gnome.py);
# the icon cache is GTK 4's tool if it exists, else GTK 3's.
POST_INSTALL = {
    "glib_compile_schemas": ["glib-compile-schemas"],
    "gtk_update_icon_cache": ["gtk4-update-icon-cache|gtk-update-icon-cache"],
    "update_desktop_database": ["update-desktop-database"],
}
# What glib-compile-resources runs for a preprocess= option of a .gresource.xml file
# (without it the build only warns, and the resources keep their blanks).
PREPROCESSORS = {"xml-stripblanks": "xmllint", "json-stripblanks": "json-glib-format"}
# dependency() names that meson resolves itself, not through pkg-config.
NOT_PKG_CONFIG = {"threads"}


def strip_comments(text):
    """meson.build text without its # comments (a # inside a 'string' is kept)."""
    out = []
    for line in text.splitlines():
        kept, quoted = [], False
        for ch in line:
            if ch == "'":
                quoted = not quoted
            elif ch == "#" and not quoted:
                break
            kept.append(ch)
        out.append("".join(kept))
    return "\n".join(out)


def call_args(text, start):
    """The argument text of the call whose '(' is at text[start]."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1:i]
    return text[start + 1:]


def needs(root):
    """(what, kind, name) for everything the build needs: kind 'pc' or 'program'."""
    found = [("build tool", "program", p) for p in BUILD_TOOLS]
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_")) and d != "build"
                   and not os.path.exists(os.path.join(folder, d, "meson-private"))]
        for name in files:
            if name.endswith(".gresource.xml"):
                text = open(os.path.join(folder, name), encoding="utf-8").read()
                where = os.path.relpath(os.path.join(folder, name), root)
                found += [(f"{where}: preprocess=\"{option}\"", "program", program)
                          for option, program in PREPROCESSORS.items() if option in text]
        if "meson.build" not in files:
            continue
        path = os.path.join(folder, "meson.build")
        where = os.path.relpath(path, root)
        text = strip_comments(open(path, encoding="utf-8").read())
        for m in re.finditer(r"(?<![\w.])dependency\(\s*'([^']+)'", text):
            if m.group(1) not in NOT_PKG_CONFIG:
                found.append((f"{where}: dependency('{m.group(1)}')", "pc", m.group(1)))
        for m in re.finditer(r"(?<![\w.])find_program\(\s*'([^']+)'", text):
            args = call_args(text, text.index("(", m.start()))
            if not re.search(r"required\s*:\s*false", args):
                found.append((f"{where}: find_program('{m.group(1)}')", "program",
                              m.group(1)))
        for call, programs in MODULE_PROGRAMS.items():
            if re.search(re.escape(call) + r"\(", text):
                found += [(f"{where}: {call}()", "program", p) for p in programs]
        for m in re.finditer(r"gnome\.post_install\(", text):
            args = call_args(text, m.end(0) - 1)
            for switch, programs in POST_INSTALL.items():
                if re.search(switch + r"\s*:\s*true", args):
                    found += [(f"{where}: gnome.post_install({switch})", "program", p)
                              for p in programs]
    return found


def run(*args):
    return subprocess.run(args, capture_output=True, text=True)


def candidates(path):
    """path as dpkg may know it: itself, its target, and /bin and /usr/bin are one folder."""
    found = [path, os.path.realpath(path)]
    for p in list(found):
        for a, b in (("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/"), ("/usr/lib/", "/lib/")):
            if p.startswith(a):
                found.append(b + p[len(a):])
            elif p.startswith(b):
                found.append(a + p[len(b):])
    return found


def owners(paths):
    """{path: package} for those of paths that an installed package ships: one dpkg -S
    for them all (each call reads dpkg's whole file list, seconds on a busy machine)."""
    r = run("dpkg", "-S", *sorted(set(paths)))
    found = {}
    for line in r.stdout.splitlines():
        # "libglib2.0-dev:amd64: /usr/lib/…"; "diversion by …" lines are not owners.
        if line.startswith("diversion") or ": " not in line:
            continue
        packages, path = line.split(": ", 1)
        found.setdefault(path.strip(), packages.split(",")[0].split(":")[0].strip())
    return found


@functools.lru_cache(maxsize=None)
def locate(kind, name):
    """(the file that provides it, None) or (None, why not)."""
    if kind == "pc":
        r = run("pkg-config", "--variable=pcfiledir", name)
        pcdir = r.stdout.strip()
        if r.returncode != 0 or not pcdir:
            return None, f"pkg-config does not know {name}"
        return os.path.join(pcdir, name + ".pc"), None
    for alternative in name.split("|"):
        for folder in SYSTEM_PATH:
            path = os.path.join(folder, alternative)
            if os.access(path, os.X_OK):
                return path, None
    return None, f"{name} is not installed here"


def readme_packages(readme):
    """The packages of the first `apt-get install` in the README's "Quick start"."""
    text = open(readme, encoding="utf-8").read()
    section = text.split("## Quick start", 1)[-1].split("\n## ", 1)[0]
    m = re.search(r"apt-get install ((?:[^&\n]|&(?!&))+)", section)
    if m is None:
        return None
    return [w for w in m.group(1).split() if not w.startswith("-")]


def ci_packages(script):
    text = open(script, encoding="utf-8").read()
    m = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if m is None:
        return None
    return strip_comments(m.group(1)).split()


def closure(packages):
    """Every package that installing packages installs (Depends and Pre-Depends, recursively;
    both sides of an alternative), or (None, error) when apt-cache cannot say."""
    r = run("apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
            "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *packages)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return {line.strip() for line in r.stdout.splitlines()
            if line and not line.startswith(" ") and not line.startswith("<")}, None


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    missing_tools = [t for t in ("dpkg", "apt-cache", "pkg-config") if shutil.which(t) is None]
    if missing_tools:
        print(f"SKIP: {', '.join(missing_tools)} not found: not a Debian system")
        return 77

    failures = []
    readme = readme_packages(os.path.join(root, "README.md"))
    ci = ci_packages(os.path.join(root, ".ci", "run"))
    if not readme:
        print("FAIL: no `apt-get install` line in README.md's Quick start")
        return 1
    if not ci:
        print("FAIL: no packages=( … ) list in .ci/run")
        return 1
    print("README installs:", " ".join(readme))

    installed, error = closure(readme)
    if installed is None:
        print(f"FAIL: apt-cache depends {' '.join(readme)}: {error}\n"
              "(no package lists? `apt-get update` first, as the README's command does)")
        return 1

    wanted = [(what, *locate(kind, name)) for what, kind, name in needs(root)]
    shipped = owners(c for _, path, _ in wanted if path for c in candidates(path))
    for what, path, why_not in wanted:
        package = next((shipped[c] for c in candidates(path) if c in shipped), None) \
            if path else None
        how = path or why_not
        if package is None:
            failures.append(f"{what}: no Debian package ships {how}")
        elif package in readme:
            print(f"ok: {what}: {how} → {package} (named)")
        elif package in installed:
            print(f"ok: {what}: {how} → {package} (a dependency)")
        else:
            failures.append(f"{what} needs package {package} ({how}), "
                            "which the README's command does not install")

    for package in readme:
        if package not in ci:
            failures.append(f"README's package {package} is not in .ci/run's list")

    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
