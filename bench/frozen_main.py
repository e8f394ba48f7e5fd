"""Frozen copy of the beat grid and the 4/4 verdict at main fb5567e, before issue 14.

`bench/real_midi.py` measures today's behaviour with it: `git show fb5567e:beatbert/grid.py` (imports made absolute)
plus `Verdict` and `four_four_verdict` of beatbert/midi.py at that commit. Never edited since; not part of the package.
"""
from __future__ import annotations
from dataclasses import dataclass
import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d, median_filter, uniform_filter1d
from beatbert.midi import Song, BeatbertError, seconds_to_beats


@dataclass
class Verdict:
    "Whether a song is kept (all 4/4) and, if not, why."
    kept: bool    # True when every time signature is 4/4
    reason: str   # 'all 4/4', 'no time signature (4/4 assumed)', or what was found, e.g. '4/4 then 2/4 at 31.5 s'
    def __str__(self): return ('kept: ' if self.kept else 'rejected: ') + self.reason

def four_four_verdict(time_signatures: pd.DataFrame  # columns time (s), numerator, denominator
                     ) -> Verdict:
    "Keep a song whose time signatures are all 4/4; reject it otherwise, naming what was found."
    if len(time_signatures) == 0: return Verdict(True, 'no time signature (4/4 assumed)')
    ts = time_signatures.sort_values('time')
    # repeated identical signatures (common in multi-track files) say nothing new
    keep = (ts.numerator != ts.numerator.shift()) | (ts.denominator != ts.denominator.shift())
    ts = ts[keep.values]
    if ((ts.numerator == 4) & (ts.denominator == 4)).all(): return Verdict(True, 'all 4/4')
    parts = [f'{r.numerator}/{r.denominator}' + (f' at {r.time:.1f} s' if i > 0 or r.time > 0 or len(ts) == 1 else '')
             for i, r in enumerate(ts.itertuples())]
    return Verdict(False, ' then '.join(parts))


@dataclass
class BeatGrid:
    "Beat boundaries in seconds with measure index and beat-in-measure of each beat."
    times: np.ndarray            # (N+1,) beat boundaries, seconds; beat i spans times[i]..times[i+1]
    beat_in_measure: np.ndarray  # (N,) 0..3, 0 = downbeat
    source: str = 'file'         # 'file' (tempo map and time signatures) or 'tracked' (beat tracker)
    trust: float = 1.0           # phase coherence (0-1) of the onsets with the file grid (see `grid_trust`)

    def __post_init__(self):
        self.times = np.asarray(self.times, dtype=float)
        self.beat_in_measure = np.asarray(self.beat_in_measure, dtype=np.int8)
        assert len(self.times) == len(self.beat_in_measure) + 1, 'times has one boundary more than there are beats'
        assert np.all(np.diff(self.times) > 0), 'beat boundaries must increase'

    def __len__(self): return len(self.beat_in_measure)
    @property
    def starts(self) -> np.ndarray: return self.times[:-1]   # (N,) beat onsets, seconds
    @property
    def downbeat(self) -> np.ndarray: return self.beat_in_measure == 0  # (N,) bool
    @property
    def measure(self) -> np.ndarray:
        "(N,) measure index of each beat; a pickup before the first downbeat is measure 0."
        m = np.cumsum(self.downbeat)
        return (m - m[0]).astype(np.int32) if len(m) else m.astype(np.int32)

    def position(self, t) -> np.ndarray:
        "Fractional beat index of times `t` (seconds), extrapolated linearly outside the grid."
        t, x = np.asarray(t, dtype=float), self.times
        p = np.interp(t, x, np.arange(len(x), dtype=float))
        lo, hi = t < x[0], t > x[-1]
        p[lo] = (t[lo] - x[0]) / (x[1] - x[0])
        p[hi] = len(x) - 1 + (t[hi] - x[-1]) / (x[-1] - x[-2])
        return p

    def to_frame(self) -> pd.DataFrame:
        "One row per beat: beat, start, end (s), measure, beat_in_measure, downbeat."
        return pd.DataFrame({'beat': np.arange(len(self)), 'start': self.times[:-1], 'end': self.times[1:],
                             'measure': self.measure, 'beat_in_measure': self.beat_in_measure,
                             'downbeat': self.downbeat})

def beats_to_seconds(beats,        # positions, in beats (quarter notes) from time 0
                     tempo_times,  # times of the tempo changes, in seconds
                     bpms,         # tempo from each change, in beats per minute
                    ) -> np.ndarray:  # times, in seconds
    "Inverse of `seconds_to_beats`: times in seconds of positions in beats."
    tempo_times, bpms = np.asarray(tempo_times, float), np.asarray(bpms, float)
    if len(tempo_times) == 0 or tempo_times[0] > 0: tempo_times, bpms = np.r_[0.0, tempo_times], np.r_[120.0, bpms]
    seg_beats = seconds_to_beats(tempo_times, tempo_times, bpms)
    b = np.asarray(beats, float)
    i = np.clip(np.searchsorted(seg_beats, b, side='right') - 1, 0, None)
    return tempo_times[i] + (b - seg_beats[i]) * 60 / bpms[i]

END_TOL = 0.25  # beats: a note-off this little past a beat does not open one more beat

def file_grid(song: Song) -> BeatGrid:
    "The beat grid written in the file: quarter notes of the tempo map, 4/4 measures from the first time signature."
    tt, bpm = song.tempos.time.to_numpy(), song.tempos.bpm.to_numpy()
    t0 = song.time_signatures.time.min() if len(song.time_signatures) else 0.0
    b0 = float(np.round(seconds_to_beats([t0], tt, bpm)[0]))           # beat of the first time signature
    first, last_on, last = song.notes.onset_beat.min(), song.notes.onset_beat.max(), song.notes.offset_beat.max()
    start = b0 + 4 * np.floor((first - b0 + 1e-6) / 4)                # measure holding the first onset
    # up to the last note-off, forgiving release tails of up to a 16th; always past the last onset
    n = max(1, int(np.ceil(last - start - END_TOL)), int(np.floor(last_on - start + 1e-6)) + 1)
    beats = start + np.arange(n + 1)
    return BeatGrid(beats_to_seconds(beats, tt, bpm), ((beats[:-1] - b0) % 4).astype(int), 'file', 1.0)

TRUST_MIN = 0.5    # phase coherence of onsets with the file grid above which auto mode trusts it
STRUM_GAP = 0.035  # seconds: onsets closer than this to the previous one belong to the same strum or roll
CYCLES = (1 / 4, 1 / 6)  # beats: the sub-grids onsets may sit on (16ths; sextuplets, which hold swung 8ths and triplets)

def grid_trust(song: Song, grid: BeatGrid) -> float:
    "Phase coherence (0-1) of the song's onsets with the 16th or sextuplet sub-grid of `grid`."
    on = np.unique(np.round(song.notes.onset.to_numpy(), 4))
    on = on[np.r_[True, np.diff(on) > STRUM_GAP]]   # a strum or a rolled chord counts once, by its first note
    if len(on) == 0: return 0.0
    pos = grid.position(on)
    return float(max(np.abs(np.exp(2j * np.pi * pos / c).mean()) for c in CYCLES))

FPS = 100.0  # frames per second of the onset-strength envelope (10 ms frames)

SLOW_BPM = 75.0      # bpm: a beat slower than this is split in two when ...
MID_COVERAGE = 0.4   # ... at least this fraction of its inter-beat midpoints carry an onset
FAST_BPM = 150.0         # bpm: a beat faster than this is merged in pairs when ...
BACKBEAT_CONTRAST = 2.0  # ... kick and snare onsets favour even or odd beats by this factor
PRIOR_OCT = (0.7, 0.7)  # octaves: std of the log-normal tempo prior (around 120 bpm) toward faster, slower tempi
KICK, SNARE = {35, 36}, {37, 38, 39, 40}  # GM drum keys: bass drums; snares, side stick and hand clap

def note_weights(notes: pd.DataFrame) -> np.ndarray:
    "Onset salience of each note: louder, longer, lower notes and kick/snare hits weigh more."
    vel = notes.velocity.to_numpy(float) / 100.0                  # ~1 for a mezzo-forte note
    dur = np.clip((notes.offset - notes.onset).to_numpy(float), 0.0, 2.0)  # s; capped so a drone does not dominate
    w = vel * (1.0 + np.log2(1.0 + dur / 0.125))                  # 1 for a blip, ~3 for 0.5 s, ~4.2 for 2 s
    pitch = notes.pitch.to_numpy(float)
    drum = notes.is_drum.to_numpy(bool)
    w = w * np.where(~drum & (pitch < 48), 1.5, 1.0)              # bass register (below C3)
    w = np.where(drum, vel * np.where(np.isin(pitch, list(KICK)), 2.5,
                                      np.where(np.isin(pitch, list(SNARE)), 1.5, 0.5)), w)
    return w


def onset_envelope(notes: pd.DataFrame, fps: float = FPS,  # frames per second
                   smooth: float = 0.025,                   # s: std of the Gaussian blur (absorbs timing jitter)
                   ) -> tuple[np.ndarray, float]:
    "Onset-strength envelope (zero mean, unit std) of `notes` on frames of 1/fps s, and the time of frame 0 (s)."
    on = notes.onset.to_numpy(float)
    t0 = max(0.0, on.min() - 1.0)  # a second of silence before the first onset
    n = int(np.ceil((notes.offset.max() - t0) * fps)) + 2
    env = np.bincount(np.round((on - t0) * fps).astype(int), weights=note_weights(notes), minlength=n)[:n]
    env = gaussian_filter1d(env, smooth * fps)
    env = np.log1p(env / (env[env > 0].mean() if (env > 0).any() else 1.0))  # compress big chords a little
    return (env - env.mean()) / (env.std() + 1e-9), t0

def _acf(x: np.ndarray, maxlag: int) -> np.ndarray:
    "Autocorrelation of `x` at lags 0..maxlag, unbiased (divided by the overlap length), via FFT."
    n = len(x)
    f = np.fft.rfft(x, 2 * n)
    r = np.fft.irfft(f * np.conj(f))[:maxlag + 1]
    return r / np.arange(n, n - maxlag - 1, -1).clip(1)


def global_period(env: np.ndarray, fps: float = FPS, min_bpm: float = 40., max_bpm: float = 240.,
                  prior_bpm: float = 120.,  # centre of the log-normal tempo prior
                  prior_oct: tuple = (0.7, 0.7),  # its std, in octaves, toward faster and toward slower tempi
                  ) -> float:
    "The beat period (s) of the envelope: the autocorrelation peak, weighted by a tempo prior and by its metrical support."
    lo, hi = 60.0 / max_bpm * fps, 60.0 / min_bpm * fps  # lag range, frames
    maxlag = int(min(len(env) - 1, np.ceil(2 * hi) + 2))
    r = np.maximum(_acf(env, maxlag), 0.0)
    lags = np.arange(len(r), dtype=float)
    # a period is better when its multiples (the bar) also recur: add half of r at 2 and 4 periods
    def at(lag): return np.interp(lag, lags, r, right=0.0)
    cand = np.arange(int(lo), int(min(hi, maxlag)) + 1, dtype=float)
    strength = at(cand) + 0.5 * at(2 * cand) + 0.25 * at(4 * cand)
    octs = np.log2(cand / fps * prior_bpm / 60.0)  # octaves slower than the prior's centre
    prior = np.exp(-0.5 * (octs / np.where(octs < 0, prior_oct[0], prior_oct[1])) ** 2)
    best = cand[np.argmax(strength * prior)]
    # parabolic refinement around the peak of r
    k = int(best)
    if 1 <= k < len(r) - 1:
        a, b, c = r[k - 1], r[k], r[k + 1]
        den = a - 2 * b + c
        if den < 0: best = k + 0.5 * (a - c) / den
    return best / fps


def local_periods(env: np.ndarray, period: float, fps: float = FPS,
                  win: float = 12.0,    # s: length of the sliding analysis window (~6 bars at 120 bpm)
                  hop: float = 1.0,     # s: step between windows
                  spread: float = 0.15  # relative deviation from `period` searched (tempo drift up to ±15%)
                  ) -> np.ndarray:
    "Local beat period (s) at every frame: the windowed autocorrelation peak near `period`, smoothed."
    n, P = len(env), period * fps
    W, H = int(win * fps), int(hop * fps)
    if n <= W: return np.full(n, period)
    lags = np.arange(int(P * (1 - spread)), int(np.ceil(P * (1 + spread))) + 1)
    lags2 = 2 * lags  # the bar-level multiple steadies the estimate
    starts = np.arange(0, n - W + 1, H)
    win_fn = np.hanning(W)
    est = np.empty(len(starts))
    for i, s in enumerate(starts):
        x = env[s:s + W] * win_fn
        r = np.array([x[:W - l] @ x[l:] for l in lags]) + 0.5 * np.array(
            [x[:W - l] @ x[l:] if l < W else 0.0 for l in lags2])
        r = r * np.exp(-0.5 * (np.log(lags / P) / spread) ** 2)  # mild pull toward the global period
        k = int(np.argmax(r))
        if 0 < k < len(r) - 1 and (den := r[k - 1] - 2 * r[k] + r[k + 1]) < 0:
            est[i] = lags[k] + 0.5 * (r[k - 1] - r[k + 1]) / den
        else: est[i] = lags[k]
    est = uniform_filter1d(median_filter(est, size=5, mode='nearest'), size=5, mode='nearest')
    centres = starts + W / 2
    return np.interp(np.arange(n), centres, est) / fps

def dp_beats(env: np.ndarray, periods: np.ndarray, fps: float = FPS,
             tightness: float = 100.,  # weight of the squared log deviation from the local period
             ) -> np.ndarray:
    "Frames of the best beat sequence (Ellis 2007): onsets strong, inter-beat intervals close to the local period."
    n = len(env)
    P = periods * fps                                   # local period, frames
    lo = np.maximum(1, np.floor(P / 2)).astype(int)     # shortest admissible interval, frames
    hi = np.ceil(2 * P).astype(int)                     # longest, frames
    score = env.astype(float).copy()
    back = np.full(n, -1)
    step = int(lo.min())                                # frames in a block never depend on each other
    W = int(hi.max())
    offs = np.arange(1, W + 1)                          # candidate intervals, frames
    for b in range(0, n, step):
        t = np.arange(b, min(n, b + step))
        prev = t[:, None] - offs[None, :]               # (block, W) candidate previous beats
        ok = (prev >= 0) & (offs[None, :] >= lo[t, None]) & (offs[None, :] <= hi[t, None])
        pen = -tightness * np.log(offs[None, :] / P[t, None]) ** 2
        cand = np.where(ok, score[prev.clip(0)] + pen, -np.inf)
        j = np.argmax(cand, axis=1)
        best = cand[np.arange(len(t)), j]
        take = best > 0                                 # else start a new chain here
        score[t] += np.where(take, best, 0.0)
        back[t] = np.where(take, prev[np.arange(len(t)), j], -1)
    # end on the best-scoring frame within the last period
    tail = max(0, n - int(np.ceil(P[-1])) - 1)
    k = tail + int(np.argmax(score[tail:]))
    path = [k]
    while back[path[-1]] >= 0: path.append(int(back[path[-1]]))
    return np.array(path[::-1])


def _extend(beats: np.ndarray, start: float, end: float, period_at) -> np.ndarray:
    "Extend `beats` (s) backward to `start` and forward to `end`, stepping by the local period."
    head, tail = [], []
    t = beats[0]
    while t - period_at(t) >= start - 0.5 * period_at(t): t -= period_at(t); head.append(t)
    t = beats[-1]
    while t + period_at(t) <= end + 0.5 * period_at(t): t += period_at(t); tail.append(t)
    return np.r_[head[::-1], beats, tail]


def offbeat_coverage(notes: pd.DataFrame, beats: np.ndarray) -> float:
    "Fraction of inter-beat intervals with an onset near their midpoint: high when the beats are really two beats each."
    if len(beats) < 4: return 0.0
    mid = 0.5 * (beats[1:] + beats[:-1])
    tol = np.maximum(0.05, 0.1 * np.diff(beats))  # s
    on = np.sort(notes.onset.to_numpy(float))
    j = np.clip(np.searchsorted(on, mid), 1, len(on) - 1)
    dist = np.minimum(np.abs(on[j] - mid), np.abs(on[j - 1] - mid))
    return float(np.mean(dist <= tol))


def parity_contrast(notes: pd.DataFrame, beats: np.ndarray) -> float:
    "Onset weight on the stronger of even and odd beats over that on the weaker: high when the beats are half-beats."
    if len(beats) < 4 or len(notes) == 0: return 1.0
    on = notes.onset.to_numpy(float)
    i = np.clip(np.searchsorted(beats, on), 1, len(beats) - 1)
    i = np.where(np.abs(on - beats[i - 1]) < np.abs(on - beats[i]), i - 1, i)
    tol = np.maximum(0.04, 0.2 * np.median(np.diff(beats)))  # s
    near = np.abs(on - beats[i]) <= tol
    s = np.bincount(i[near], weights=note_weights(notes)[near], minlength=len(beats))
    even, odd = s[0::2].mean(), s[1::2].mean()
    return float(max(even, odd) / max(min(even, odd), 1e-9))

def measure_start_features(notes: pd.DataFrame, beats: np.ndarray) -> dict:
    "Per-beat evidence that a measure starts there: {name: (len(beats),) array}, larger = more likely."
    nb = len(beats)
    ibi = np.diff(beats); ibi = np.r_[ibi, ibi[-1]]
    tol = np.clip(0.25 * ibi, 0.03, 0.10)                    # s: an onset this close to a beat is on it
    on, off = notes.onset.to_numpy(float), notes.offset.to_numpy(float)
    pitch, drum = notes.pitch.to_numpy(int), notes.is_drum.to_numpy(bool)
    vel = notes.velocity.to_numpy(float) / 100.0
    # nearest beat of each onset, and whether it is on that beat
    i = np.clip(np.searchsorted(beats, on), 1, nb - 1)
    i = np.where(np.abs(on - beats[i - 1]) < np.abs(on - beats[i]), i - 1, i)
    near = np.abs(on - beats[i]) <= tol[i]
    dur_beats = np.clip((off - on) / ibi[i], 0, 4)           # note length in beats
    pitched = ~drum
    feats = {}
    # long notes starting on the beat
    feats['long'] = np.bincount(i[near & pitched], weights=(vel * dur_beats)[near & pitched], minlength=nb)
    # bass onsets: pitched onsets in the song's lowest quartile of pitch, weighted by their length
    lowq = np.percentile(pitch[pitched], 25) if pitched.any() else 0
    bass = near & pitched & (pitch <= lowq)
    feats['bass'] = np.bincount(i[bass], weights=(vel * (1 + dur_beats))[bass], minlength=nb)
    feats['kick'] = np.bincount(i[near & drum & np.isin(pitch, list(KICK))], minlength=nb).astype(float)
    # notes held over the beat (started well before, still sounding well after): a sign of a weak beat
    held = np.zeros(nb)
    for k in range(nb):
        held[k] = np.sum(pitched & (on < beats[k] - tol[k]) & (off > beats[k] + tol[k]))
    feats['held'] = -held
    # harmonic change: chroma of the two beats after against the two beats before
    chroma = np.zeros((nb + 1, 12))                           # duration-weighted pitch classes per beat span
    edges = np.r_[beats, beats[-1] + ibi[-1]]
    for o, f, p in zip(on[pitched], off[pitched], pitch[pitched]):
        a, b = np.searchsorted(edges, o, 'right') - 1, np.searchsorted(edges, f, 'left')
        for k in range(max(a, 0), min(b, nb)):
            chroma[k, p % 12] += min(f, edges[k + 1]) - max(o, edges[k])
    c2 = chroma[:-1] + np.r_[chroma[1:-1], np.zeros((1, 12))]  # span of beats k, k+1
    before = np.r_[np.zeros((2, 12)), c2[:-2]]
    num = (c2 * before).sum(1)
    den = np.linalg.norm(c2, axis=1) * np.linalg.norm(before, axis=1) + 1e-9
    feats['harm'] = 1 - num / den
    feats['harm'][:2] = 0
    # the same over a whole measure: chroma of the four beats after against the four before
    c4 = np.array([chroma[k:k + 4].sum(0) for k in range(nb)])
    b4 = np.r_[np.zeros((4, 12)), c4[:-4]]
    feats['harm4'] = 1 - (c4 * b4).sum(1) / (np.linalg.norm(c4, axis=1) * np.linalg.norm(b4, axis=1) + 1e-9)
    feats['harm4'][:4] = 0
    # time to the next onset after the beat's onsets (long notes of a melody, whatever their written length)
    uon = np.unique(np.round(on, 2))
    nxt = np.r_[uon[1:], uon[-1]]
    k = np.searchsorted(uon, np.round(on, 2))
    gap = np.clip((nxt[k] - on) / ibi[i], 0, 4)
    feats['ioi'] = np.zeros(nb)
    np.maximum.at(feats['ioi'], i[near], gap[near])
    feats['count'] = np.bincount(i[near], minlength=nb).astype(float)
    feats['first'] = np.zeros(nb); feats['first'][i[np.argmin(on)]] = 1.0
    # the final note of the piece (on a downbeat in many songs, but on beat 3 or 4 in many chorales and strathspeys)
    feats['last'] = np.zeros(nb); feats['last'][i[np.argmax(on)]] = 1.0
    return feats


# weights of the measure-start evidence, fitted coarsely on the benchmark's chorales, strathspeys and Essen songs
# (phase accuracy ~0.65 there); 'first' and 'last' count once per song, the others are z-scored per beat and averaged
DOWNBEAT_WEIGHTS = {'long': 0.5, 'bass': 0.25, 'kick': 1.0, 'held': 1.0, 'harm4': 1.0, 'count': 1.0, 'first': 1.0,
                    'harm': 0.0, 'ioi': 0.0, 'last': 0.0}


def downbeat_phase(notes: pd.DataFrame, beats: np.ndarray) -> int:
    "Phase 0..3 whose beats (beats[phase::4]) best look like measure starts in 4/4."
    if len(beats) < 8: return 0
    feats = measure_start_features(notes, beats)
    score = np.zeros(4)
    for name, w in DOWNBEAT_WEIGHTS.items():
        x = feats[name]
        if w == 0: continue
        if name in ('first', 'last'): score += w * np.array([x[p::4].sum() for p in range(4)])
        elif x.std() > 0:
            z = (x - x.mean()) / x.std()
            score += w * np.array([z[p::4].mean() for p in range(4)])
    return int(np.argmax(score))

def track_beats(notes: pd.DataFrame,
                min_bpm: float = 40.,   # slowest tempo considered, beats per minute
                max_bpm: float = 240.,  # fastest
                ) -> tuple[np.ndarray, int]:
    "Beat times (s), from about the first onset to the last offset, and the downbeat phase 0..3 (beats[phase::4])."
    if len(notes) == 0: return np.zeros(0), 0
    env, t0 = onset_envelope(notes)

    def track(period):  # local periods (s, per frame) and beat times (s) around a global period (s)
        periods = np.clip(local_periods(env, period, FPS), 60.0 / max_bpm, 60.0 / min_bpm)
        return periods, t0 + dp_beats(env, periods, FPS) / FPS

    period = global_period(env, FPS, min_bpm, max_bpm, prior_oct=PRIOR_OCT)
    periods, beats = track(period)
    # metrical level: a slow beat whose midpoints mostly carry onsets is two beats (e.g. dotted rhythms hide the quarter)
    if 60.0 / period < SLOW_BPM and 120.0 / period <= max_bpm and offbeat_coverage(notes, beats) >= MID_COVERAGE:
        period /= 2
        periods, beats = track(period)
    # ... and a fast beat on which kick and snare favour every other beat is half a beat (a backbeat at double speed)
    ks = notes[notes.is_drum & notes.pitch.isin(list(KICK | SNARE))]
    fast = 60.0 / period > FAST_BPM and 30.0 / period >= min_bpm and len(ks) >= 8
    if fast and parity_contrast(ks, beats) >= BACKBEAT_CONTRAST:
        period *= 2
        periods, beats = track(period)
    period_at = lambda t: float(np.interp((t - t0) * FPS, np.arange(len(periods)), periods))
    beats = _extend(beats, float(notes.onset.min()), float(notes.offset.max()), period_at)
    return beats, downbeat_phase(notes, beats)

def dequantize(notes: pd.DataFrame,
               drift: float = 0.10,    # largest relative deviation of the local tempo (0.10: ±10%)
               jitter: float = 0.020,  # s: std of the Gaussian noise added to every onset
               seed: int = 0,          # random seed
               beats: np.ndarray = None,      # true beat times of the quantized song (s), e.g. pm.get_beats()
               downbeats: np.ndarray = None,  # its true downbeats (s), e.g. pm.get_downbeats()
               tempo_scale: float = 1.0,      # overall tempo factor (2: twice as fast)
               ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    "A mock performance of a quantized song: smooth tempo drift and onset jitter; returns (notes, true beats, true downbeats)."
    rng = np.random.default_rng(seed)
    end = float(notes.offset.max())
    if beats is None: beats = np.arange(0.0, end + 1e-9, 0.5)  # the file's claim: 120 bpm from 0 s
    if downbeats is None: downbeats = beats[::4]
    # relative tempo r(t) = 1 + drift * g(t), g a sum of three slow sinusoids scaled to max |g| = 1 over the song
    grid = np.linspace(0.0, end + 1.0, max(2, int((end + 1.0) * 100)))  # 10 ms steps of score time
    g = np.zeros_like(grid)
    for _ in range(3):
        period = rng.uniform(15.0, 90.0)  # s of score time per cycle
        g += rng.uniform(0.5, 1.0) * np.sin(2 * np.pi * grid / period + rng.uniform(0, 2 * np.pi))
    g /= np.abs(g).max() + 1e-12
    rate = tempo_scale * (1.0 + drift * g)  # performed beats per score beat per second
    warped = np.r_[0.0, np.cumsum(np.diff(grid) / (0.5 * (rate[1:] + rate[:-1])))]  # performed time of each score time
    warp = lambda t: np.interp(t, grid, warped)
    on, off = warp(notes.onset.to_numpy(float)), warp(notes.offset.to_numpy(float))
    new_on = np.maximum(0.0, on + rng.normal(0.0, jitter, len(on)))
    perf = notes.drop(columns=[c for c in ('onset_beat', 'offset_beat') if c in notes])  # stale after warping
    perf['onset'], perf['offset'] = new_on, new_on + (off - on)  # durations kept (as warped)
    perf = perf.sort_values(['onset', 'pitch'], kind='stable').reset_index(drop=True)
    return perf, warp(np.asarray(beats, float)), warp(np.asarray(downbeats, float))

def tracked_grid(song: Song) -> BeatGrid:
    "A grid from the beat tracker: tracked beat times and downbeat phase."
    beats, phase = track_beats(song.notes)
    if len(beats) < 2: raise BeatbertError(f'{song.path or song.name}: too few onsets to track beats')
    times = np.r_[beats, beats[-1] + (beats[-1] - beats[-2])]
    return BeatGrid(times, (np.arange(len(beats)) - phase) % 4, 'tracked', float('nan'))

def beat_grid(song: Song,
              mode: str = 'auto',           # 'auto', 'file' (trust the tempo map) or 'track' (beat tracker)
              min_trust: float = TRUST_MIN  # auto mode: phase coherence with the file grid needed to trust it
             ) -> BeatGrid:
    "The beat grid of a 4/4 song: the file's when trusted (or forced), tracked otherwise."
    if mode not in ('auto', 'file', 'track'): raise ValueError(f"grid mode must be 'auto', 'file' or 'track', not {mode!r}")
    fg = file_grid(song)
    trust = grid_trust(song, fg)
    g = fg if mode == 'file' or (mode == 'auto' and trust >= min_trust) else tracked_grid(song)
    g.trust = trust
    return g
