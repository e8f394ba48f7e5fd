"""Time the default corpus build source by source, and count what each source gives.

    python bench/default_corpus.py [--out cache/corpus-default] [--workers 2]

For every built-in source of the default corpus (`corpus.DEFAULT_SOURCES`: music21, band, examples, pop) it times
materializing the source (music21 parsing, MMA rendering, writing the examples, placing the pop songs' annotations
into JAMS files) and building its songs (`build_corpus`: read, grid, roles, beats, features, labels), each into a
part folder `OUT/parts/<source>` of its own, with `--workers` processes; then joins the parts into the default corpus
`OUT` (`merge_corpora`: what `beatbert corpus build default --out OUT` makes, songs, splits and labels alike).
Wall seconds and CPU seconds (this process and its worker processes, user + system) are printed for every part:
on a loaded machine the wall time grows with the load and the CPU time much less, so CPU seconds over the cores
is the estimate of the wall time on an idle machine. The load average is printed before each part. Then, per source and
split, the songs kept (and how many of them carry labels) and the files skipped, with the most frequent reasons.
The last line is the headline: the pop part's share of the whole build, CPU seconds against the other sources'.
"""
from __future__ import annotations
import argparse, os, resource, sys, time
from pathlib import Path
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from beatbert.corpus import resolve_sources, build_corpus, merge_corpora, DEFAULT_SOURCES


def cpu() -> float:
    "CPU seconds (user + system) of this process and of its children that have ended."
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default='cache/corpus-default')
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--sources', nargs='+', default=list(DEFAULT_SOURCES), help='a part of the default corpus only')
    a = ap.parse_args()
    out = Path(a.out); rows = []
    for s in a.sources:
        print(f'{s}: load average {os.getloadavg()[0]:.1f}', flush=True)
        t0, c0 = time.time(), cpu()
        folders, skipped = resolve_sources([s], out, a.workers, progress=False)
        t1, c1 = time.time(), cpu()
        r = build_corpus(folders, out / 'parts' / s, a.workers, progress=False, extra_skipped=skipped)
        t2, c2 = time.time(), cpu()
        rows.append(dict(source=s, materialize_s=t1 - t0, materialize_cpu_s=c1 - c0, build_s=t2 - t1, build_cpu_s=c2 - c1,
                         songs=r['songs'], skipped=r['skipped']))
        print(f"  materialize {t1 - t0:.0f} s ({c1 - c0:.0f} CPU s), build {t2 - t1:.0f} s ({c2 - c1:.0f} CPU s): "
              f"{r['songs']} songs, {r['skipped']} skipped", flush=True)
    merged = merge_corpora([out / 'parts' / s for s in a.sources], out)
    t = pd.DataFrame(rows).set_index('source')
    t.loc['all'] = t.sum()
    t['wall_s'], t['cpu_s'] = t.materialize_s + t.build_s, t.materialize_cpu_s + t.build_cpu_s
    t['idle_estimate_s'] = t.cpu_s / a.workers
    print(); print(t.round(0).astype(int).to_string())
    meta, sk = pd.read_csv(out / 'meta.csv'), pd.read_csv(out / 'skipped.csv')
    print(f"\n{out}: {merged['songs']} songs, {merged['beats']} beats")
    print('\nsongs kept per source and split (with labels):')
    kept = meta.pivot_table(index='source', columns='split', values='key', aggfunc='size', fill_value=0)
    lab = meta[meta.labels.astype(bool)].pivot_table(index='source', columns='split', values='key', aggfunc='size', fill_value=0)
    print(kept.astype(str).add(' (').add(lab.reindex_like(kept).fillna(0).astype(int).astype(str)).add(')').to_string())
    print('\nskipped per source, most frequent reasons:')
    sk['why'] = sk.reason.str.replace(r'\d+(\.\d+)?', 'N', regex=True).str.slice(0, 90)
    for s, g in sk.groupby('source'):
        print(f'  {s}: {len(g)} skipped'); print(g.why.value_counts().head(5).rename_axis(None).to_string().replace('\n', '\n    ').join(['    ', '']))
    pop = t.loc['pop', 'cpu_s'] if 'pop' in t.index else 0.0
    rest = t.loc['all', 'cpu_s'] - pop
    print(f"\npop part: {pop:.0f} CPU s against {rest:.0f} CPU s for the other sources ({pop / max(rest, 1e-9):.2f}x); whole build "
          f"{t.loc['all', 'wall_s']:.0f} s wall here, about {t.loc['all', 'idle_estimate_s'] / 60:.1f} min on {a.workers} idle cores")


if __name__ == '__main__':
    main()
