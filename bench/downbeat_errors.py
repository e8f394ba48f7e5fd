"""Where the default grid's downbeats go wrong, by cause, on the tune split only (never the report split).

    python bench/downbeat_errors.py collect [--m21 60] [--pop 0]   # default grids of every 4/4 tune case, cached
    python bench/downbeat_errors.py breakdown                      # each case's downbeat miss, by cause

For every 4/4 case of bench/real_midi.py's tune split it keeps the notes, the default grid (`beat_grid`), the file's
places in the bar, whether the file says 4/4, and the true beats and downbeats. `breakdown` labels each grid beat with
its true place in the bar (grid beats on a true beat, within a tenth of a beat) and sorts every case by cause:
`beats off` (under 80 % of the grid's beats on true beats: a tempo level or beat phase no downbeat model can fix), `ok`
(downbeat F >= 0.8), `shift k` (most of the grid's beats on true beats but its bars shifted by k beats throughout) or
`mixed` (bars right in places, shifted in others). Nothing of the report split is read.
"""
from __future__ import annotations
import argparse, io, pickle, sys, time
from pathlib import Path
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / 'bench')]
import real_midi as rm
from tune_grid import labels_on

STORE = rm.CACHE / 'downbeat_cases.pkl'


def collect(m21: int, pop: int):
    "Notes, default grid (times, source, file places), whether the file says 4/4, truth of every 4/4 tune case, into STORE."
    from beatbert.song_grid import beat_grid
    from beatbert.metre import file_metre
    out, t = [], time.time()
    for k, (group, name, song, b, d, four) in enumerate(rm._cases('tune', m21, pop)):
        if not four: continue
        g = beat_grid(song)
        file44 = all(kind == 'four' for _, kind in file_metre(song.time_signatures)[0])
        out.append(dict(group=group, name=name, notes=song.notes[['onset', 'offset', 'pitch', 'velocity', 'is_drum']].copy(),
                        times=g.times, bim=g.beat_in_measure.copy(), source=g.source, file44=file44,
                        beats=np.asarray(b, float), down=np.asarray(d, float)))
        if k % 100 == 0: print(f'  {k} cases ({time.time() - t:.0f} s)', file=sys.stderr)
    STORE.write_bytes(pickle.dumps(out))
    print(f'{len(out)} cases in {time.time() - t:.0f} s -> {STORE}')


def load() -> list[dict]: return pickle.loads(STORE.read_bytes())


def true_places(times: np.ndarray, beats: np.ndarray, down: np.ndarray) -> np.ndarray:
    "True place in the bar (0-3) of each grid beat on a true beat, -1 elsewhere (before the first downbeat too)."
    starts = times[:-1]
    _, onb = labels_on(starts, beats, down)
    j = np.clip(np.searchsorted(beats, starts), 1, len(beats) - 1)
    j = np.where(np.abs(starts - beats[j - 1]) < np.abs(starts - beats[j]), j - 1, j)
    di = np.searchsorted(beats, down - 1e-3)                       # index of each true downbeat among the true beats
    k = np.searchsorted(di, j, 'right') - 1
    place = np.where(k >= 0, j - di[np.maximum(k, 0)], -1)
    return np.where(onb & (k >= 0), place % 4, -1)


def cause(places: np.ndarray, truth: np.ndarray, f: float) -> tuple[str, float]:
    "(cause, share of the grid's beats on true beats) of one case's downbeat miss."
    on = truth >= 0
    if on.mean() < 0.8: return 'beats off', float(on.mean())
    if f >= 0.8: return 'ok', float(on.mean())
    d = (places[on] - truth[on]) % 4
    share = np.bincount(d, minlength=4) / len(d)
    k = int(np.argmax(share))
    return (f'shift {k}' if share[k] >= 0.8 else 'mixed'), float(on.mean())


def decide(c: dict, lo: np.ndarray, margin: float) -> np.ndarray:
    "The places `grid_verdict` gives a case from downbeat log-odds `lo` (its own rule, `music_bars`, with `margin`)."
    from beatbert.song_grid import music_bars
    return music_bars(lo, c['bim'], c['file44'] and c['source'] == 'file', margin)[0]


def breakdown(cases: list[dict], logodds=None, margin=None) -> pd.DataFrame:
    "Per case: group, downbeat F of the default bars, cause; `logodds(notes, times, counted)` replaces `downbeat_logodds`."
    from beatbert.downbeats import downbeat_logodds
    from beatbert.song_grid import bars_margin
    logodds = logodds or downbeat_logodds
    rows = []
    for c in cases:
        lo = logodds(c['notes'], c['times'], c['source'] != 'tracked')
        places = decide(c, lo, bars_margin(c['notes']) if margin is None else margin)   # grid_verdict's margin, per case
        f = rm._f(c['down'], c['times'][:-1][places == 0])
        why, onb = cause(places, true_places(c['times'], c['beats'], c['down']), f)
        rows.append(dict(group=c['group'], name=c['name'], source=c['source'], down_f=f, cause=why, on_beats=onb))
    return pd.DataFrame(rows)


def summary(df: pd.DataFrame) -> str:
    "Mean downbeat F by group, and the share and F of each cause."
    t = df.groupby('group', sort=False).down_f.mean().round(3).to_string()
    c = df.groupby(['group', 'cause']).down_f.agg(['size', 'mean']).round(3).to_string()
    return f'{t}\nall {df.down_f.mean():.3f}\n{c}'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('cmd', choices=['collect', 'breakdown'])
    ap.add_argument('--m21', type=int, default=60)
    ap.add_argument('--pop', type=int, default=0)
    a = ap.parse_args(argv)
    if a.cmd == 'collect': collect(a.m21, a.pop)
    else: print(summary(breakdown(load())))


if __name__ == '__main__':
    main()
