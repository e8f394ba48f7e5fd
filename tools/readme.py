"""README.md from nbs/index.ipynb, as nbdev_readme would give it, without Quarto.

    .venv/bin/python tools/readme.py           # write README.md
    .venv/bin/python tools/readme.py --check   # exit 1, saying where, if README.md is not what index.ipynb gives

nbdev 2's `nbdev_readme` renders the notebook named by `readme_nb` in settings.ini through Quarto, which this project
does not use (no Quarto: one less toolchain to install, and the notebooks are the documentation). This is the small
part of it the project needs, written out:

- markdown cells as they are;
- code cells as fenced ```python blocks, their `#|` directive lines left out;
- cells marked `#| hide` (tests, set-up) left out, as nbdev leaves them out of every page;
- outputs left out: notebooks are committed without them, so the README does not depend on who ran what.

Cells are separated by one blank line; the file starts with a comment saying where it comes from.
"""
from __future__ import annotations
import argparse, difflib, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = '<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, then run the tool -->'
DIRECTIVE = re.compile(r'^\s*#\|\s*(\S+)')


def render(nb: dict) -> str:
    "The README text of a notebook (a parsed .ipynb)."
    parts = [HEADER]
    for c in nb['cells']:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if c['cell_type'] == 'markdown':
            if src.strip(): parts.append(src.strip('\n'))
        elif c['cell_type'] == 'code':
            lines = src.split('\n')
            if any((m := DIRECTIVE.match(l)) and m.group(1) == 'hide' for l in lines): continue
            code = '\n'.join(l for l in lines if not DIRECTIVE.match(l)).strip('\n')
            if code: parts.append(f'```python\n{code}\n```')
    return '\n\n'.join(parts) + '\n'


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--check', action='store_true', help='compare instead of writing; exit 1 when README.md differs')
    ap.add_argument('--nb', default=str(ROOT / 'nbs' / 'index.ipynb'))
    ap.add_argument('--out', default=str(ROOT / 'README.md'))
    a = ap.parse_args(argv)
    want, out = render(json.loads(Path(a.nb).read_text())), Path(a.out)
    if not a.check:
        out.write_text(want); return 0
    have = out.read_text() if out.exists() else ''
    if have == want: return 0
    diff = difflib.unified_diff(have.splitlines(), want.splitlines(), str(out), f'{a.nb} (rendered)', lineterm='', n=1)
    print(f'{out} is not what {a.nb} gives (run .venv/bin/python tools/readme.py):', *list(diff)[:40], sep='\n')
    return 1


if __name__ == '__main__':
    sys.exit(main())
