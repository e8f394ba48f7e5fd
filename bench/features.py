"""Benchmark the whole path MIDI -> beat features against MidiTok's REMI tokenization of the same file.

    python bench/features.py [--choruses 7] [--repeats 15]

The song: `blues_band(choruses=7)` from beatbert.examples, a 3-minute multi-track arrangement (drums, bass, piano,
lead) written to a temporary MIDI file. Stages are timed separately (median of --repeats runs, time.perf_counter):
parse -> grid -> roles + beats -> features, with both of beatbert's readers (pretty_midi+mido, and symusic, the C++
parser MidiTok itself uses). In the same run, MidiTok's REMI (default config) tokenizes the same file from disk.
The last line printed is the headline: the whole path in beats per second and its ratio to MidiTok (goal <= 1.0).
"""
from __future__ import annotations
import argparse, sys, tempfile, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from beatbert.midi import read_midi, midi_bytes
from beatbert.song_grid import beat_grid
from beatbert.beats import make_beats
from beatbert.features import beat_features, FEATURES
from beatbert.examples import blues_band


def median_ms(f, repeats: int) -> tuple[float, object]:
    "Median wall time of f() in milliseconds over `repeats` runs (after one warm-up), and its last result."
    r = f()
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); r = f(); ts.append(time.perf_counter() - t)
    return 1000 * float(np.median(ts)), r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--choruses', type=int, default=7, help='12-bar choruses of the blues (7: about 3 minutes)')
    ap.add_argument('--repeats', type=int, default=15, help='timed runs per stage')
    a = ap.parse_args(argv)
    import miditok
    path = Path(tempfile.mkdtemp()) / 'blues_long.mid'
    path.write_bytes(midi_bytes(blues_band(choruses=a.choruses)))
    tok = miditok.REMI()
    t_tok, toks = median_ms(lambda: tok.encode(path), a.repeats)
    n_tokens = sum(len(s.ids) for s in toks) if isinstance(toks, list) else len(toks.ids)
    rows = {}
    for reader in ('pretty_midi', 'symusic'):
        t_read, song = median_ms(lambda: read_midi(path, reader=reader), a.repeats)
        t_grid, grid = median_ms(lambda: beat_grid(song), a.repeats)
        t_beats, beats = median_ms(lambda: make_beats(song, grid), a.repeats)
        t_feat, F = median_ms(lambda: beat_features(beats), a.repeats)
        rows[reader] = dict(read=t_read, grid=t_grid, beats=t_beats, features=t_feat,
                            total=t_read + t_grid + t_beats + t_feat, n=len(beats))
    n = rows['symusic']['n']
    print(f'song: {path.name}, {song.duration:.0f} s, {len(song.notes)} notes, {len(song.tracks)} tracks, '
          f'{n} beats, {F.shape[1]} features; MidiTok REMI: {n_tokens} tokens')
    print(f"{'reader':<12}{'parse':>9}{'grid':>8}{'beats':>8}{'features':>10}{'total ms':>10}{'beats/s':>10}{'vs REMI':>9}")
    for reader, r in rows.items():
        print(f"{reader:<12}{r['read']:>9.1f}{r['grid']:>8.1f}{r['beats']:>8.1f}{r['features']:>10.1f}{r['total']:>10.1f}"
              f"{n / r['total'] * 1000:>10.0f}{r['total'] / t_tok:>9.2f}")
    print(f"{'miditok REMI':<12}{'':>35}{t_tok:>10.1f}{n / t_tok * 1000:>10.0f}{1.0:>9.2f}")
    pm = rows['pretty_midi']
    print(f"with pretty_midi, parsing is {pm['read'] / pm['total']:.0%} of the path ({pm['read']:.0f} of {pm['total']:.0f} ms)")
    s = rows['symusic']
    print(f"features: whole path {n / s['total'] * 1000:.0f} beats/s ({s['total']:.1f} ms, symusic reader) vs MidiTok REMI "
          f"{t_tok:.1f} ms: ratio {s['total'] / t_tok:.2f} (goal <= 1.0); pretty_midi reader ratio {pm['total'] / t_tok:.2f}; "
          f"features stage alone {n / s['features'] * 1000:.0f} beats/s ({s['features']:.1f} ms)")


if __name__ == '__main__':
    main()
