"""Benchmark pair features: time and peak memory of `pair_codes` (what the model consumes) and of
`pair_features` (the expanded bool tensor) for windows of N = 128, 256 and 512 beats.

    python bench/pairs.py [--runs 20] [--choruses 11] [--sizes 128 256 512]

The song is the example blues band with enough 12-bar choruses for 512 beats (11 choruses: 528 beats),
built in code; its beat descriptors are computed once (not timed). Time is the median of `--runs` calls
(time.perf_counter); memory is the tracemalloc peak during one more call. The scaling exponent is the
least-squares slope of log(time) against log(N). The last line printed is the headline; the targets
at N = 512 are <= 30 ms and <= 16 MB for pair_codes. At N <= 512 fixed per-call costs (the N numpy steps
of the runs, the per-group set-up) still weigh as much as the N^2 work, so the fitted exponent is near 1;
`--choruses 44 --sizes 512 1024 2048` shows the quadratic regime.
"""
from __future__ import annotations
import argparse, sys, time, tracemalloc
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]  # the repository root
sys.path.insert(0, str(ROOT))
from beatbert.midi import midi_bytes
from beatbert.examples import blues_band
from beatbert.beats import song_beats
from beatbert.features import beat_descriptors
from beatbert.pairs import pair_codes, pair_features, PAIR_NAMES, PAIR_GROUPS

SIZES = (128, 256, 512)           # window lengths, beats
TARGET_MS, TARGET_MB = 30.0, 16.0  # pair_codes at N = 512


def timed(fn, runs: int) -> float:
    "Median seconds of `runs` calls of fn(), after one warm-up call."
    fn()
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def peak_bytes(fn) -> int:
    "Peak bytes traced by tracemalloc during one call of fn()."
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def exponent(ns, ts) -> float:
    "Slope of the least-squares line through (log N, log time)."
    return float(np.polyfit(np.log(ns), np.log(ts), 1)[0])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', type=int, default=20, help='timed calls per measurement (median)')
    ap.add_argument('--choruses', type=int, default=11, help='12-bar choruses of the blues (11: 528 beats)')
    ap.add_argument('--sizes', type=int, nargs='+', default=list(SIZES), help='window lengths N, beats')
    a = ap.parse_args(argv)
    beats = song_beats(midi_bytes(blues_band(a.choruses)), grid='file')
    desc = beat_descriptors(beats)
    n_all = len(desc['beat'])
    if n_all < max(a.sizes): sys.exit(f'the song has {n_all} beats, fewer than {max(a.sizes)}: raise --choruses')
    print(f'song: blues_band({a.choruses}), {n_all} beats; {len(PAIR_GROUPS)} groups, {len(PAIR_NAMES)} features; '
          f'median of {a.runs} runs')
    print(f'{"N":>5} {"codes ms":>9} {"codes MB":>9} {"out MB":>7} {"expanded ms":>12} {"expanded MB":>12} {"out MB":>7}')
    rows = []
    for n in a.sizes:
        codes = lambda: pair_codes(desc, 0, n)
        feats = lambda: pair_features(desc, 0, n)
        r = dict(n=n, tc=timed(codes, a.runs), mc=peak_bytes(codes), te=timed(feats, a.runs), me=peak_bytes(feats),
                 oc=n * n * len(PAIR_GROUPS), oe=n * n * len(PAIR_NAMES))
        rows.append(r)
        print(f'{n:>5} {r["tc"] * 1e3:>9.2f} {r["mc"] / 1e6:>9.2f} {r["oc"] / 1e6:>7.2f} {r["te"] * 1e3:>12.2f} '
              f'{r["me"] / 1e6:>12.2f} {r["oe"] / 1e6:>7.2f}')
    ns = [r['n'] for r in rows]
    ec, ee = exponent(ns, [r['tc'] for r in rows]), exponent(ns, [r['te'] for r in rows])
    em = exponent(ns, [r['mc'] for r in rows])
    print(f'time exponent: pair_codes {ec:.2f}, pair_features {ee:.2f}; memory exponent: pair_codes {em:.2f}')
    last = next((r for r in rows if r['n'] == 512), rows[-1])   # the targets are set at N = 512
    ok = last['n'] == 512 and last['tc'] * 1e3 <= TARGET_MS and last['mc'] / 1e6 <= TARGET_MB
    print(f'pairs: N={last["n"]} pair_codes {last["tc"] * 1e3:.1f} ms, {last["mc"] / 1e6:.1f} MB '
          f'(targets <= {TARGET_MS:g} ms, <= {TARGET_MB:g} MB: {"met" if ok else "MISSED"}); '
          f'expanded {last["te"] * 1e3:.1f} ms, {last["me"] / 1e6:.1f} MB; time exponent {ec:.2f}')


if __name__ == '__main__':
    main()
