"""Benchmark the corpus build: files per second with 1 and 2 workers, the local pool beside Dask, and disk per 1,000 beats.

    python bench/corpus.py [--corpus cache/corpus-default] [--files 600] [--rounds 1] [--no-dask]

It times `build_corpus` (the part that scales with a user's folder: read, grid, roles, beats, features, descriptors,
write) on up to --files MIDI files taken from the materialized built-in sources of a default corpus (music21 pieces,
MMA band songs, examples; `beatbert corpus build default --out cache/corpus-default` makes them, and this script runs
that first if they are missing), with 1 and with 2 workers of the local pool and of a local Dask cluster (worker
processes of one thread each, started fresh for every build, and the scheduler reached by its tcp:// address as
`--scheduler` does), each build into a fresh folder, the four in turn (local 1, Dask 1, local 2, Dask 2), `--rounds`
times: each figure is the median over rounds. Both engines are timed cold — the pool's processes and the Dask
workers import beatbert at their first song — but the Dask cluster's own start (scheduler and worker processes, a
cluster that would already be running) is reported apart. (The local pool with 1 worker is `build_corpus(workers=1)`:
it builds in this process, without a pool.) The load average is printed before every build; the
Dask builds are checked to be byte-identical to the local ones. Materializing the built-in sources (music21
parsing, MMA rendering) is a one-time cost of the default corpus and is reported apart.
The last line printed is the headline (target: Dask at 2 workers >= 0.9x the local pool at 2 workers).
"""
from __future__ import annotations
import argparse, os, shutil, sys, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from beatbert.corpus import build, build_corpus, consolidate, FEATURES_VERSION
from beatbert.layout import DEFAULT_CORPUS

TARGET = 0.9   # Dask's throughput at 2 workers over the local pool's


def du(path: Path) -> int:
    "Bytes of the files under `path`."
    return sum(p.stat().st_size for p in Path(path).rglob('*') if p.is_file())


def dask_cluster(workers: int):
    "A local Dask cluster of `workers` single-threaded worker processes, and the seconds it took to start."
    import logging
    from distributed import LocalCluster
    t = time.time()
    c = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR)
    return c, time.time() - t


def same_bytes(a: Path, b: Path) -> bool:
    "Whether two corpus folders hold the same files with the same bytes (index.jsonl aside: it logs the finishing order)."
    files = lambda d: {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(Path(d).rglob('*')) if p.is_file() and p.name != 'index.jsonl'}
    return files(a) == files(b)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--corpus', default=str(ROOT / DEFAULT_CORPUS), help='a default corpus folder (built if missing)')
    ap.add_argument('--files', type=int, default=600, help='MIDI files to build in each timed run')
    ap.add_argument('--rounds', type=int, default=1, help='rounds of the four builds (median)')
    ap.add_argument('--no-dask', action='store_true', help='time the local pool only')
    ap.add_argument('--beats-per-file', type=float, default=400., help='beats a file of the 170,000 (assumed) for the plan by beats')
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
    arms = [('local', 1)] + ([] if a.no_dask else [('dask', 1)]) + [('local', 2)] + ([] if a.no_dask else [('dask', 2)])
    times, rows, starts = {k: [] for k in arms}, {}, []
    print(f'{len(pick)} files from {src}; {os.cpu_count()} cores; {a.rounds} round(s) of {", ".join(f"{e} {w}" for e, w in arms)}')
    for rnd in range(a.rounds):
        for eng, w in arms:
            out = work / f'{eng}{w}-{rnd}'
            load = os.getloadavg()
            if eng == 'local':
                t = time.time()
                r = build_corpus([('bench', work / 'in', 'file')], out, workers=w, progress=False)
            else:
                cluster, st = dask_cluster(w)
                starts.append(st)
                try:
                    t = time.time()
                    r = build_corpus([('bench', work / 'in', 'file')], out, progress=False, scheduler=cluster.scheduler_address)
                finally: cluster.close()
            sec = time.time() - t
            times[eng, w].append(sec); rows[eng, w] = r
            print(f'  round {rnd + 1} {eng:5} {w} worker(s): {sec:6.1f} s, {len(pick) / sec:5.1f} files/s '
                  f'(load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})')
    if not a.no_dask:
        same = all(same_bytes(work / f'local{w}-0', work / f'dask{w}-0') for w in (1, 2))
        print(f'  Dask builds byte-identical to the local ones (song files, labels, corpus.npz, meta.csv, skipped.csv): {same}')
        print(f'  Dask cluster start (scheduler + worker processes, not in the times above): median {np.median(starts):.1f} s')
    sec = {k: float(np.median(v)) for k, v in times.items()}
    out = work / 'local2-0'
    songs_bytes, npz_bytes = du(out / f'songs-{FEATURES_VERSION}'), (out / 'corpus.npz').stat().st_size
    r2 = rows['local', 2]; beats = r2['beats']
    meta = pd.read_csv(out / 'meta.csv')
    t = time.time(); consolidate(out, meta.to_dict('records')); t_cons = time.time() - t
    print(f'{len(pick)} files: {r2["songs"]} songs, {beats} beats, {r2["skipped"]} skipped')
    for (eng, w), s_ in sec.items():
        print(f'  {eng:5} {w} worker(s): {s_:.1f} s, {len(pick) / s_:.1f} files/s, {beats / s_:.0f} beats/s')
    print(f'  disk: per-song files {songs_bytes / beats * 1000 / 1024:.1f} KiB per 1,000 beats, '
          f'corpus.npz {npz_bytes / beats * 1000 / 1024:.1f} KiB per 1,000 beats')
    print(f'  consolidate (corpus.npz from the song files, one process): {t_cons:.2f} s, {beats / t_cons:,.0f} beats/s')
    speedup = sec['local', 1] / sec['local', 2]
    per_core = len(pick) / sec['local', 1]
    beats_per_file = beats / max(r2['songs'], 1)
    lakh = 170_000
    eng2 = 'dask' if ('dask', 2) in sec else 'local'
    per_machine = len(pick) / sec[eng2, 2]                    # files/s of one 2-core machine like this one
    print(f'  Lakh-sized (170,000 files, {beats_per_file:.0f} beats a file as here): {lakh / per_core / 3600:.1f} core-hours; '
          f'at {per_machine:.1f} files/s per 2-core machine ({eng2}, 2 workers): ' +
          ', '.join(f'{m} machine(s) {lakh / (per_machine * m) / 3600:.2f} h' for m in (1, 8, 64)) +
          f'; then consolidate {lakh * beats_per_file / (beats / t_cons) / 60:.1f} min on one machine; '
          f'{lakh * beats_per_file * (songs_bytes / beats) / 2**30:.2f} GiB of per-song files')
    bps = beats / sec[eng2, 2]                                # beats/s of one 2-core machine
    print(f'  Lakh-sized by beats (170,000 files x {a.beats_per_file:.0f} beats, an assumption: Lakh songs are minutes long; '
          f'a file costs about its beats): at {bps:.0f} beats/s per 2-core machine: ' +
          ', '.join(f'{m} machine(s) {lakh * a.beats_per_file / (bps * m) / 3600:.2f} h' for m in (1, 8, 64)) +
          f'; consolidate {lakh * a.beats_per_file / (beats / t_cons) / 60:.0f} min on one machine; '
          f'{lakh * a.beats_per_file * (songs_bytes / beats) / 2**30:.1f} GiB of per-song files, '
          f'{lakh * a.beats_per_file * (npz_bytes / beats) / 2**30:.1f} GiB corpus.npz')
    head = (f'corpus: {len(pick) / sec["local", 1]:.1f} files/s with 1 worker, {len(pick) / sec["local", 2]:.1f} files/s with 2 '
            f'(speed-up {speedup:.2f}); {songs_bytes / beats * 1000 / 1024:.1f} KiB per 1,000 beats on disk')
    if not a.no_dask:
        r1, r2_ = sec['local', 1] / sec['dask', 1], sec['local', 2] / sec['dask', 2]
        head += (f'; Dask {len(pick) / sec["dask", 1]:.1f} files/s with 1 worker ({r1:.2f}x local), '
                 f'{len(pick) / sec["dask", 2]:.1f} with 2 ({r2_:.2f}x local, target >= {TARGET}: {"met" if r2_ >= TARGET else "MISSED"})')
    print(head + f'; load average {os.getloadavg()[0]:.2f}')
    shutil.rmtree(work)


if __name__ == '__main__':
    main()
