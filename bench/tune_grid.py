"""Fit the downbeat and metre weights of `beatbert.downbeats` and `beatbert.metre` on the tune split only.

    python bench/tune_grid.py collect [--m21 60] [--pop 0]   # grids of every tune case, cached
    python bench/tune_grid.py fit                            # evidence on them, logistic regressions, weights printed

The tune split is bench/real_midi.py's: pop `train` songs and the music21 collections TUNE_M21 (bach, ryansMammoth,
eight Essen collections), in the same realistic variants. `collect` keeps, for every case, its notes, the default
grid of this checkout (the file's, moved, or tracked) and its true beats and downbeats. `fit` computes the per-beat
measure-start evidence on those grids (`beatbert.downbeats.beat_evidence`), labels each grid beat (a true downbeat
within a tenth of a beat of it), fits scikit-learn's logistic regression per beat (downbeat or not) and per song (bars of
3 or 6 beats, or of 4), and prints the coefficients to paste into the notebooks. The weights for a tune alone
(`DOWNBEAT_COEF_TUNE`) are fitted on the tune cases that are one (`beatbert.downbeats.tune_alone`), every case weighing
the same, by an L2 logistic regression written here with scipy (C = 0.2), with held-out F by variant on two folds by
piece; the weights in the notebook are those of `collect --m21 200 --pop 1` then `fit` (88 unaccompanied 4/4 pieces; with
the default 60, 24 pieces, they overfitted), the other weights those of the default `collect`. Nothing of the report
split is read.
"""
from __future__ import annotations
import argparse, io, sys, time
from pathlib import Path
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / 'bench')]
import real_midi as rm

STORE = rm.CACHE / 'tune_grids.npz'


def labels_on(grid_beats: np.ndarray, ref_beats: np.ndarray, ref_down: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    "(downbeat, on a true beat) for each grid beat: a true (down)beat within a tenth of a beat of it."
    ibi = np.median(np.diff(ref_beats)) if len(ref_beats) > 1 else 0.5
    def near(ref):
        if len(ref) == 0: return np.zeros(len(grid_beats), bool)
        j = np.clip(np.searchsorted(ref, grid_beats), 1, len(ref) - 1) if len(ref) > 1 else np.zeros(len(grid_beats), int)
        dist = np.minimum(np.abs(grid_beats - ref[j]), np.abs(grid_beats - ref[np.maximum(j - 1, 0)]))
        return dist <= 0.1 * ibi
    return near(ref_down), near(ref_beats)


def collect(m21: int, pop: int):
    "Notes, default grid and truth of every tune case, into STORE."
    from beatbert.song_grid import beat_grid
    rows, arrays, t = [], {k: [] for k in ('notes', 'times', 'beats', 'down')}, time.time()
    for k, (group, name, song, b, d, four) in enumerate(rm._cases('tune', m21, pop)):
        g = beat_grid(song)
        n = song.notes
        arrays['notes'].append(np.c_[n.onset, n.offset, n.pitch, n.velocity, n.is_drum].astype(float))
        arrays['times'].append(g.times); arrays['beats'].append(np.asarray(b, float)); arrays['down'].append(np.asarray(d, float))
        rows.append(dict(group=group, name=name, four=four, source=g.source))
        if k % 100 == 0: print(f'  {k} cases ({time.time() - t:.0f} s)', file=sys.stderr)
    out = {'meta': pd.DataFrame(rows).to_json()}
    for key, lst in arrays.items():
        out[key] = np.concatenate(lst); out[key + '_n'] = np.array([len(x) for x in lst])
    np.savez(STORE, **out)
    print(f'{len(rows)} cases in {time.time() - t:.0f} s -> {STORE}')


def load():
    "(meta, list of (notes frame, grid times, true beats, true downbeats)) from STORE."
    z = np.load(STORE)
    meta = pd.read_json(io.StringIO(str(z["meta"])))
    split = lambda key: np.split(z[key], np.cumsum(z[key + '_n'])[:-1])
    cases = []
    for a, t, b, d in zip(split('notes'), split('times'), split('beats'), split('down')):
        n = pd.DataFrame({'onset': a[:, 0], 'offset': a[:, 1], 'pitch': a[:, 2].astype(int), 'velocity': a[:, 3].astype(int),
                          'is_drum': a[:, 4].astype(bool)})
        cases.append((n, t, b, d))
    return meta, cases


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('cmd', choices=['collect', 'fit'])
    ap.add_argument('--m21', type=int, default=60)
    ap.add_argument('--pop', type=int, default=0)
    a = ap.parse_args(argv)
    if a.cmd == 'collect': collect(a.m21, a.pop)
    else:
        meta, cases = load()
        fit_level(meta, cases)
        fit(meta, cases)
        fit_tune_alone(meta, cases)
        fit_metre(meta, cases)


def _stacked(notes, times) -> np.ndarray:
    "The inputs `downbeat_logodds` weighs: standardized evidence of each beat and its CONTEXT neighbours, (N, len(CONTEXT) * F)."
    from beatbert.downbeats import beat_evidence
    return _standard_stack(beat_evidence(notes, times))


def fit(meta: pd.DataFrame, cases: list):
    "Fit and print DOWNBEAT_COEF / DOWNBEAT_BIAS on the 4/4 tune cases whose grid sits on the true beats."
    from sklearn.linear_model import LogisticRegression
    from beatbert.downbeats import CONTEXT, EVIDENCE
    Xs, ys = [], []
    for k, (n, tms, b, d) in enumerate(cases):
        if not meta.four[k]: continue
        down, onb = labels_on(tms[:-1], b, d)
        if onb.mean() < 0.8: continue            # a grid off the beats teaches nothing about downbeats
        Xs.append(_stacked(n, tms)); ys.append(down)
    X, y = np.concatenate(Xs), np.concatenate(ys)
    clf = LogisticRegression(C=1.0, max_iter=5000).fit(X, y)
    W = clf.coef_[0].reshape(len(CONTEXT), len(EVIDENCE))
    print(f'# {len(Xs)} songs, {len(y)} beats, {y.mean():.3f} downbeats')
    print('DOWNBEAT_COEF = np.array([  # rows: CONTEXT offsets; columns: EVIDENCE')
    for c, row in zip(CONTEXT, W): print('    [' + ', '.join(f'{v:.3f}' for v in row) + f'],  # {c:+d}')
    print('])')
    print(f'DOWNBEAT_BIAS = {clf.intercept_[0]:.3f}')



def _logistic(X, y, w, C: float):
    "Weights and bias of an L2-penalised logistic regression (penalty 1/(2C)|w|^2, sample weights `w`), by L-BFGS."
    from scipy.optimize import minimize
    d = X.shape[1]
    def loss(th):
        z = X @ th[:d] + th[d]
        g = w * (1 / (1 + np.exp(-z)) - y)
        return (w * (np.logaddexp(0, z) - y * z)).sum() + 0.5 / C * th[:d] @ th[:d], np.r_[X.T @ g + th[:d] / C, g.sum()]
    th = minimize(loss, np.zeros(d + 1), jac=True, method='L-BFGS-B', options=dict(maxiter=3000)).x
    return th[:d], th[d]


def fit_tune_alone(meta: pd.DataFrame, cases: list, C: float = 0.2):
    "Fit and print DOWNBEAT_COEF_TUNE / _BIAS on the 4/4 tune cases that are a tune alone, each case weighing the same; held-out F by variant."
    import zlib
    from beatbert.downbeats import beat_evidence, bar_positions, tune_alone, CONTEXT
    ks = [k for k, (n, t, b, d) in enumerate(cases) if meta.four[k] and tune_alone(n)]
    Xs = {k: _standard_stack(beat_evidence(cases[k][0], cases[k][1], counted=meta.source[k] != 'tracked')) for k in ks}
    lab = {k: labels_on(cases[k][1][:-1], cases[k][2], cases[k][3]) for k in ks}
    fold = {k: zlib.crc32(str(meta.name[k]).encode()) % 2 for k in ks}
    def fit_on(train):
        train = [k for k in train if lab[k][1].mean() >= 0.8]                   # grids on the true beats
        X, y = np.concatenate([Xs[k] for k in train]), np.concatenate([lab[k][0] for k in train]).astype(float)
        w = np.concatenate([np.full(len(Xs[k]), 1 / len(Xs[k])) for k in train])
        return _logistic(X, y, w * len(w) / w.sum(), C)
    f = {}
    for half in (0, 1):
        W, b0 = fit_on([k for k in ks if fold[k] != half])
        for k in ks:
            if fold[k] == half:
                places = bar_positions(Xs[k] @ W + b0)[0]
                f[k] = rm._f(cases[k][3], cases[k][1][:-1][places == 0])
    held = pd.Series(f).groupby(meta.group[ks].to_numpy()).mean()
    print('# held-out downbeat F (two folds by piece), tunes alone: ' + ', '.join(f'{g} {v:.3f}' for g, v in held.items()))
    W, b0 = fit_on(ks)
    print(f'DOWNBEAT_COEF_TUNE = np.array([  # {len(ks)} cases')
    for c, row in zip(CONTEXT, W.reshape(len(CONTEXT), -1)): print('    [' + ', '.join(f'{v:.3f}' for v in row) + f'],  # {c:+d}')
    print(f'])\nDOWNBEAT_BIAS_TUNE = {b0:.3f}')


def _standard_stack(X: np.ndarray) -> np.ndarray:
    "Evidence standardized over the song, each beat beside its CONTEXT neighbours, as `downbeat_logodds` reads it."
    from beatbert.downbeats import CONTEXT
    sd = X.std(0)
    Z = (X - X.mean(0)) / np.where(sd > 0, sd, 1)
    n, cols = len(Z), []
    for c in CONTEXT:
        src = np.arange(n) + c
        ok = (src >= 0) & (src < n)
        S = np.zeros_like(Z); S[ok] = Z[src[ok]]; cols.append(S)
    return np.concatenate(cols, 1)


def fit_metre(meta: pd.DataFrame, cases: list):
    "Fit and print METRE_COEF / METRE_BIAS (bars of 3 or 6 beats against 4, per song), with held-out rates by group."
    import zlib
    from sklearn.linear_model import LogisticRegression
    from beatbert.metre import metre_evidence
    ev = pd.DataFrame([metre_evidence(n, tms) for n, tms, b, d in cases])
    X, y = ev.to_numpy(), ~meta.four.to_numpy()
    fold = np.array([zlib.crc32(str(n).encode()) % 2 for n in meta.name])   # the variants of a piece in one fold
    p = np.zeros(len(y))
    for f in (0, 1):
        clf = LogisticRegression(C=1.0, max_iter=5000, class_weight='balanced').fit(X[fold != f], y[fold != f])
        p[fold == f] = clf.predict_proba(X[fold == f])[:, 1]
    rates = meta.assign(p=p).groupby(['group', 'four']).p.apply(lambda q: pd.Series({t: (q > t).mean() for t in (0.5, 0.6, 0.7, 0.8)}))
    print('# held-out (two folds by piece) share judged 3 or 6 beats to the bar, by threshold:')
    print('\n'.join('# ' + l for l in rates.unstack().round(3).to_string().splitlines()))
    clf = LogisticRegression(C=1.0, max_iter=5000, class_weight='balanced').fit(X, y)
    print('METRE_COEF = {' + ', '.join(f"'{k}': {v:.3f}" for k, v in zip(ev.columns, clf.coef_[0])) + '}')
    print(f'METRE_BIAS = {clf.intercept_[0]:.3f}')


def fit_level(meta: pd.DataFrame, cases: list, groups=('pop', 'pop perf', 'm21 4/4 performed')):
    "Fit and print LEVEL_COEF: which of `level_candidates` of the DP's beats is the true beat, on the tune cases of `groups`."
    import zlib, warnings, mir_eval
    from sklearn.linear_model import LogisticRegression
    from beatbert.tracker import raw_beats, level_candidates, level_features, LEVEL_FEATURES
    from beatbert.onsets import note_weights
    rows = []
    for k, (n, tms, b, d) in enumerate(cases):
        if meta.group[k] not in groups or not meta.four[k]: continue
        raw = raw_beats(n)
        if len(raw) < 8: continue
        for name, S in level_candidates(raw).items():
            if len(S) < 4: continue
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                f = mir_eval.beat.f_measure(mir_eval.beat.trim_beats(b), mir_eval.beat.trim_beats(S))
            rows.append(level_features(n, S) | dict(case=k, cand=name, f=f, group=meta.group[k], name=meta.name[k]))
    df = pd.DataFrame(rows)
    best = df.groupby('case').f.transform('max')
    df['y'] = (df.f == best) & (best > 0.5)
    X = df[LEVEL_FEATURES].to_numpy()
    fold = np.array([zlib.crc32(str(n).encode()) % 2 for n in df.name])
    for f in (0, 1):
        clf = LogisticRegression(C=1.0, max_iter=5000).fit(X[fold != f], df.y[fold != f])
        df.loc[fold == f, 'score'] = clf.decision_function(X[fold == f])
    pick = df.loc[df.groupby('case').score.idxmax()]
    same = df[df.cand == 'same'].set_index('case').f
    print('# beat F held out (two folds by piece): DP as found / level chosen / best candidate')
    for g, p in pick.groupby('group'):
        print(f"#   {g}: {same.loc[p.case].mean():.3f} / {p.f.mean():.3f} / {best[df.case.isin(p.case)].groupby(df.case).first().mean():.3f}"
              f"  (n={len(p)}; chosen: {p.cand.value_counts().to_dict()})")
    clf = LogisticRegression(C=1.0, max_iter=5000).fit(X, df.y)
    print('LEVEL_COEF = {' + ', '.join(f"'{k}': {v:.3f}" for k, v in zip(LEVEL_FEATURES, clf.coef_[0])) + '}')


if __name__ == '__main__':
    main()
