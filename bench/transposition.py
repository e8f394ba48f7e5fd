"""The transposition property over every corpus source: beat features and pair codes unchanged under -6..+6 semitones.

    python bench/transposition.py [--n 200] [--seed 0] [--sources data,examples,music21,band,pop] [--window 512]

For every song and every shift k in -6..+6 (`beatbert.midi.transpose`: every pitched note moved, drums kept), the
song goes the whole way again: its own grid (auto mode), roles, beats, the beat-feature matrix, the descriptors (on the
grid of k = 0) and the pair codes of every window (consecutive windows of --window beats, as the corpus cuts songs). A song is
*invariant* when all 13 give exactly what k = 0 gives. A song that moves is checked again on the grid of k = 0: if it
is invariant there, the grid moved (the beat tracker); otherwise roles or features did. Printed per source: songs
checked, songs invariant, songs moved by the grid, songs moved by roles/features, cells that moved (feature cells and
pair-code cells, summed over shifts), the feature columns and pair groups that moved most, the songs that moved, and
every song whose grid moved under some shift (with the shifts: the beat tracker's, not roles' or features').

Sources (a fixed sample of --n songs per source, drawn with --seed from the sorted file list; files that do not load
as 4/4 songs are replaced by the next ones drawn, and counted):
- data: every 4/4 song of data/*.mid (pretty_midi reader, as `beatbert inspect` reads);
- examples, music21, band: the materialized MIDI of the default corpus (--corpus, default cache/corpus-default/sources),
  read as the corpus build reads them (symusic reader);
- pop: `beatbert.pop` songs (`pop_ids`, `pop_midi`), read with `read_midi` and grid 'auto' (their time signatures are
  placeholders that the 4/4 verdict of today rejects, so the verdict is not applied).
"""
from __future__ import annotations
import argparse, collections, sys, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from beatbert.midi import BeatbertError, read_midi, load_song
from beatbert.pairs import transposition_moves


def _files(source: str, corpus: Path) -> list:
    "The sorted candidates of a source: paths, or pop song ids."
    if source == 'data': return sorted((ROOT / 'data').glob('*.mid'))
    if source == 'pop':
        from beatbert.pop import pop_ids
        return pop_ids()
    return sorted((corpus / source).rglob('*.mid'))


def _load(source: str, f):
    "The song of a candidate, read as its source is read; BeatbertError when it is not a usable 4/4 song."
    if source == 'data': return load_song(f)
    if source == 'pop':
        from beatbert.pop import pop_midi
        return read_midi(pop_midi(f), name=f)
    return load_song(f, reader='symusic')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=200, help='songs per source (data: all of them)')
    ap.add_argument('--seed', type=int, default=0, help='draws the sample of each source')
    ap.add_argument('--sources', default='data,examples,music21,band,pop')
    ap.add_argument('--corpus', default=str(ROOT / 'cache' / 'corpus-default' / 'sources'),
                    help='folder holding the materialized examples/, music21/, band/')
    ap.add_argument('--window', type=int, default=512, help='beats per window of pair codes')
    ap.add_argument('--shifts', default='-6:6', help='semitones, lo:hi inclusive')
    a = ap.parse_args(argv)
    lo, hi = map(int, a.shifts.split(':'))
    shifts = [k for k in range(lo, hi + 1) if k != 0]
    t_all = time.perf_counter()
    for source in a.sources.split(','):
        t0 = time.perf_counter()
        files = _files(source, Path(a.corpus))
        order = np.random.default_rng(a.seed).permutation(len(files)) if source != 'data' else np.arange(len(files))
        n_want = len(files) if source == 'data' else a.n
        stats = collections.Counter(); fcols, pgroups = collections.Counter(), collections.Counter()
        moved_grid, moved_feat, not_loaded, out_of_range, grid_songs = [], [], collections.Counter(), 0, []
        for idx in order:
            if stats['checked'] >= n_want: break
            f = files[idx]
            try: song = _load(source, f)
            except BeatbertError as e:
                not_loaded[str(e).split(': ')[-1][:40]] += 1; continue
            name = f if isinstance(f, str) else str(Path(f).relative_to(ROOT) if Path(f).is_relative_to(ROOT) else f)
            try: r = transposition_moves(song, shifts, window=a.window)
            except BeatbertError as e:   # e.g. too few onsets to track: not part of the check, counted
                not_loaded[str(e).split(': ')[-1][:40]] += 1; continue
            stats['checked'] += 1
            out_of_range += r['out_of_range']
            if r['grid_moved']: grid_songs.append(f"{name} ({','.join(f'{k:+d}' for k in r['grid_moved'])})")
            if r['invariant']: stats['invariant'] += 1; continue
            if r['fixed_grid_invariant']: moved_grid.append(name)
            else: moved_feat.append(name)
            stats['feature_cells'] += r['feature_cells']; stats['pair_cells'] += r['pair_cells']
            stats['fixed_feature_cells'] += r['fixed_feature_cells']; stats['fixed_pair_cells'] += r['fixed_pair_cells']
            stats['descriptor_cells'] += r['descriptor_cells']
            fcols.update(r['feature_columns']); pgroups.update(r['pair_groups'])
        dt = time.perf_counter() - t0
        print(f"\n== {source}: {stats['checked']} songs checked x {len(shifts) + 1} transpositions "
              f"({dt:.0f} s; not loaded: {sum(not_loaded.values())} {dict(not_loaded.most_common(4))}; "
              f"shifts leaving 0-127 skipped: {out_of_range})")
        print(f"   invariant: {stats['invariant']} / {stats['checked']}; moved by the grid only: {len(moved_grid)}; "
              f"moved on a fixed grid (roles/features): {len(moved_feat)}")
        print(f"   cells moved (own grid): {stats['feature_cells']} feature cells, {stats['pair_cells']} pair-code cells; "
              f"on the k=0 grid: {stats['fixed_feature_cells']} feature cells, {stats['fixed_pair_cells']} pair-code cells, "
              f"{stats['descriptor_cells']} descriptor cells")
        if fcols: print('   feature columns moved most:', dict(fcols.most_common(8)))
        if pgroups: print('   pair groups moved most:', dict(pgroups.most_common(8)))
        if moved_feat: print('   songs moved by roles/features:', ' '.join(map(str, moved_feat[:40])))
        if moved_grid: print('   songs moved by the grid:', ' '.join(map(str, moved_grid)))
        print(f'   songs whose grid moved under some shift (whatever else moved): {len(grid_songs)}'
              + (': ' + ' '.join(grid_songs) if grid_songs else ''))
    print(f'\ntotal {time.perf_counter() - t_all:.0f} s')


if __name__ == '__main__': main()
