"""Give every notebook the kernelspec of the project's Jupyter kernel, so that JupyterLab (`make lab`) starts it
without asking.

    .venv/bin/python tools/kernelspec.py [NB.ipynb ...]           # set it (default: every nbs/*.ipynb)
    .venv/bin/python tools/kernelspec.py --check [NB.ipynb ...]   # exit 1, naming them, if some notebook lacks it

The kernel is `beatbert`, the venv's Python, registered inside the venv by `make setup` / `make lab`
(`ipykernel install --sys-prefix`). nbdev_clean keeps a notebook's `kernelspec` (settings.ini: `allowed_metadata_keys =
kernelspec`) and sets its display name to its name; a notebook made from text (`jupytext`, `/work/nbtools/nbpy.py`)
starts without one, hence this tool.
"""
from __future__ import annotations
import argparse, json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {'display_name': 'beatbert', 'language': 'python', 'name': 'beatbert'}   # as nbdev_clean writes it


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*', help='notebooks (default: nbs/*.ipynb)')
    ap.add_argument('--check', action='store_true', help='only check; exit 1 if some notebook lacks the kernelspec')
    a = ap.parse_args(argv)
    nbs = [Path(p) for p in a.notebooks] or sorted((ROOT / 'nbs').glob('*.ipynb'))
    missing = []
    for p in nbs:
        nb = json.loads(p.read_text())
        if nb.get('metadata', {}).get('kernelspec') == KERNELSPEC: continue
        missing.append(p)
        if not a.check:
            nb.setdefault('metadata', {})['kernelspec'] = KERNELSPEC
            p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    if a.check and missing:
        print('notebooks without the beatbert kernelspec (run tools/kernelspec.py):', *(str(p) for p in missing))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
