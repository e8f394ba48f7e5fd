"""Benchmark the corpus build: files per second with 1 and 2 workers, and disk per 1,000 beats.

    python bench/corpus.py [--corpus cache/corpus-default] [--files 600]

It times `build_corpus` (the part that scales with a user's folder: read, grid, roles, beats, features, descriptors,
write) on up to --files MIDI files taken from the materialized built-in sources of a default corpus (music21 pieces,
MMA band songs, examples; `beatbert corpus build default --out cache/corpus-default` makes them, and this script runs
that first if they are missing), once with 1 worker and once with 2, each into a fresh folder. Materializing the
built-in sources (music21 parsing, MMA rendering) is a one-time cost of the default corpus and is reported apart.
The last line printed is the headline.
"""
from __future__ import annotations
import argparse, os, shutil, sys, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from beatbert.corpus import build, build_corpus, FEATURES_VERSION
from beatbert.layout import DEFAULT_CORPUS


def du(path: Path) -> int:
    "Bytes of the files under `path`."
    return sum(p.stat().st_size for p in Path(path).rglob('*') if p.is_file())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--corpus', default=str(ROOT / DEFAULT_CORPUS), help='a default corpus folder (built if missing)')
    ap.add_argument('--files', type=int, default=600, help='MIDI files to build in each timed run')
    a = ap.parse_args(argv)
    src = Path(a.corpus) / 'sources'
    if not src.exists():
        t = time.time(); build(['default'], a.corpus, progress=True)
        print(f'materialized and built the default corpus in {time.time() - t:.0f} s (one-time)')
    files = sorted(p for p in src.rglob('*') if p.suffix in ('.mid', '.midi', '.kar'))
    rng = np.random.default_rng(0)
    pick = [files[i] for i in sorted(rng.choice(len(files), min(a.files, len(files)), replace=False))]
    work = Path(tempfile.mkdtemp())
    (work / 'in').mkdir()
    for i, p in enumerate(pick):                       # a flat folder of links to the chosen files (+ their labels)
        os.symlink(p, work / 'in' / f'{i:05d}_{p.name}')
        lab = p.with_suffix('.labels.csv')
        if lab.exists(): os.symlink(lab, work / 'in' / f'{i:05d}_{p.stem}.labels.csv')
    rows = {}
    for w in (1, 2):
        t = time.time()
        r = build_corpus([('bench', work / 'in', 'file')], work / f'out{w}', workers=w, progress=False)
        rows[w] = dict(seconds=time.time() - t, **{k: r[k] for k in ('songs', 'beats', 'skipped')})
    out = work / 'out2'
    songs_bytes, npz_bytes = du(out / f'songs-{FEATURES_VERSION}'), (out / 'corpus.npz').stat().st_size
    beats = rows[2]['beats']
    print(f'{len(pick)} files from {src}: {rows[2]["songs"]} songs, {beats} beats, {rows[2]["skipped"]} skipped')
    for w, r in rows.items():
        print(f'  {w} worker(s): {r["seconds"]:.1f} s, {len(pick) / r["seconds"]:.1f} files/s, {r["beats"] / r["seconds"]:.0f} beats/s')
    print(f'  disk: per-song files {songs_bytes / beats * 1000 / 1024:.1f} KiB per 1,000 beats, '
          f'corpus.npz {npz_bytes / beats * 1000 / 1024:.1f} KiB per 1,000 beats')
    speedup = rows[1]['seconds'] / rows[2]['seconds']
    # the plan for a Lakh-sized folder: 170,000 files at the 2-worker rate, scaled per core
    per_core = len(pick) / rows[1]['seconds']
    lakh = 170_000
    beats_per_file = beats / max(rows[2]['songs'], 1)
    print(f'  Lakh-sized (170,000 files, {beats_per_file:.0f} beats a file as here): {lakh / per_core / 3600:.1f} core-hours, '
          f'{lakh / (len(pick) / rows[2]["seconds"]) / 3600:.1f} h on this 2-core machine, '
          f'{lakh * beats_per_file * (songs_bytes / beats) / 2**30:.2f} GiB of per-song files')
    print(f'corpus: {len(pick) / rows[1]["seconds"]:.1f} files/s with 1 worker, {len(pick) / rows[2]["seconds"]:.1f} files/s with 2 '
          f'(speed-up {speedup:.2f}); {songs_bytes / beats * 1000 / 1024:.1f} KiB per 1,000 beats on disk')
    shutil.rmtree(work)


if __name__ == '__main__':
    main()
