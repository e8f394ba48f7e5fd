"""Real MIDI in, right beats out: the metre verdict and the default beat grid on realistic cases, beside today's code and librosa.

    python bench/real_midi.py [--split report|tune|valid] [--m21 60] [--pop 0] [--workers 1] [--csv out.csv]

Cases, built from what is on hand (every case knows its true beats, downbeats and bars):
- pop:        the real annotated pop songs of `beatbert.pop` as they are (right tempo, arbitrary offset, placeholder
              1/4 or 2/4 signatures); 4-beat bars must be kept, 6-beat bars rejected.
- pop perf:   the same songs de-quantized (tempo drift ±10 %, 20 ms jitter, two fermatas) under their file's tempo map;
              a line below the headline scores them again under a placeholder tempo map (120 bpm from 0 s), where the
              file's tempo is no evidence of the beat (outside the headline: the issue's cases keep their own tempo).
- m21 4/4 *:  music21 4/4 pieces written to MIDI four ways: as the corpus writes them (4/4, pickup padded); with the
              signature replaced by 1/4 or 2/4 or removed and the pickup not padded; shifted by a fraction of a beat
              (plus whole beats) at the right tempo; performed (drift, jitter, fermatas).
- m21 3/4, m21 6/8: music21 pieces in 3/4 and 6/8 relabelled 4/4: they must be rejected.
Splits: `tune` = pop `train` songs + music21 collections TUNE_M21 (the only data any weight, threshold or prior was
fitted on; the tracker of main was fitted on bach, ryansMammoth and eight Essen collections, all in TUNE_M21);
`report` = pop `test` songs + music21 collections REPORT_M21, which no tuning touched; `valid` = pop `valid` songs.

Pop's downbeats are annotated twice (`beatbert.pop.pop_audio_beats`: the MIDI-time `beat_midi.txt`, the truth here, and
the recording's `beat_audio.txt` moved into MIDI time by the chord alignment), and the two agree on the bars much less
than on the beats; the report prints the default grid's pop downbeat F against both and the annotations' agreement.

Compared: `new` (this checkout: `beatbert.song_grid`), `main` (bench/frozen_main.py, a frozen copy of the grid and
the 4/4 verdict at main fb5567e) and `librosa` (librosa.beat.beat_track on the same onset envelope; it has no
downbeats: its downbeats are every 4th beat from its first). Beat and downbeat F are mir_eval's (70 ms window, the
first 5 s trimmed), over the span of the true beats; a rejected song's grid is scored all the same (kept rates are
printed beside). Seconds are per song and per 3 minutes of music, measured in this run (load printed), and the tracker's
seconds on the songs that last about 3 minutes (2.5-3.5 min), as they are.
"""
from __future__ import annotations
import argparse, functools, hashlib, io, json, os, re, sys, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd
import pretty_midi
import mir_eval

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / 'bench')]
from beatbert.midi import read_midi, Song, BeatbertError, seconds_to_beats
from beatbert.grid import dequantize
from beatbert.onsets import onset_envelope, FPS
from beatbert.pop import pop_ids, pop_split, pop_beats, pop_midi, pop_audio_beats
import frozen_main as main_code

CACHE = ROOT / 'cache' / 'bench_real'   # pieces of music21 as note lists (music21 parsing is slow), git-ignored
ESSEN_TUNE = ['altdeu10', 'altdeu20', 'erk10', 'boehme10', 'fink0', 'kinder0', 'han1', 'han2']  # main's tracker saw these
ESSEN_REPORT = ['ballad10', 'ballad20', 'ballad30', 'ballad40', 'ballad50', 'ballad60', 'ballad70', 'ballad80', 'erk20',
                'erk30', 'erk5', 'boehme20', 'dva0', 'lot', 'lux', 'irl', 'zuccal0']
TUNE_M21 = {'bach': None, 'ryansMammoth': None, 'essenFolksong': ESSEN_TUNE}
REPORT_M21 = {'airdsAirs': None, 'oneills1850': None, 'essenFolksong': ESSEN_REPORT}
METRES = {'4/4': 4.0, '3/4': 3.0, '6/8': 3.0}   # quarters per bar
MIN_BARS = 8


# ----------------------------------------------------------------------------- music21 pieces -> note lists
def _abc_tunes(text: str) -> list[tuple[str, str]]:
    "(metre, text) of each tune of an ABC file with one metre throughout (its own M: or the file header's)."
    blocks = re.split(r'^(?=X:)', text, flags=re.M)
    head = '' if blocks[0].startswith('X:') else blocks.pop(0)
    default = re.findall(r'^M:\s*(\S+)', head, re.M)
    out = []
    for b in blocks:
        k = re.search(r'^K:', b, re.M)
        if not k: continue
        top, body = b[:k.start()], b[k.start():]
        m = re.findall(r'^M:\s*(\S+)', top, re.M) or default
        if len(m) != 1 or re.search(r'^M:|\[M:', body, re.M): continue   # no metre, or a change of metre
        metre = {'C': '4/4'}.get(m[0], m[0])
        if metre in METRES: out.append((metre, head + b))
    return out


def _piece(score, metre: str) -> dict | None:
    "Notes (quarters), pickup and bar length of a music21 score with regular bars of `metre`; None if irregular."
    bar = METRES[metre]
    tss = {ts.ratioString for ts in score.recurse().getElementsByClass('TimeSignature')}
    if tss != {metre}: return None
    parts = list(score.parts) if len(getattr(score, 'parts', [])) else [score]
    ms = list(parts[0].getElementsByClass('Measure'))
    if len(ms) < MIN_BARS: return None
    durs = [float(m.duration.quarterLength) for m in ms]
    pickup = bar - durs[0] if durs[0] < bar - 1e-6 else 0.0
    pos = pickup
    for d in durs:   # full bars start on bar lines (a bar split around a repeat sign is fine)
        if abs(d - bar) < 1e-6 and abs(pos / bar - round(pos / bar)) > 1e-6: return None
        pos += d
    notes = []
    for k, part in enumerate(parts):
        for n in part.stripTies().flatten().notes:
            ql = float(n.duration.quarterLength)
            if ql <= 0: continue
            notes += [(float(n.offset), ql, int(p.midi), int(n.volume.velocity or 80), k) for p in n.pitches]
    if not notes: return None
    first_bar = 0.0 if pickup == 0 else bar - pickup   # quarters from the first note to the first full bar
    return dict(metre=metre, bar=bar, first_downbeat=first_bar if pickup else 0.0, notes=notes)


def _m21_items(collections: dict):
    "Yield (collection, name, metre, loader) for the pieces of `collections`, in a fixed shuffled order per collection."
    from music21 import corpus, converter
    rng = np.random.default_rng(0)
    for coll, files in collections.items():
        if coll == 'bach':
            paths = sorted(str(p) for p in corpus.getComposer('bach'))
            for i in rng.permutation(len(paths)):
                yield coll, Path(paths[i]).stem, None, lambda p=paths[i]: [corpus.parse(p)]
            continue
        root = Path(corpus.__file__).parent / coll
        paths = [root / f'{f}.abc' for f in files] if files else sorted(root.glob('*.abc'))
        tunes = []
        for p in paths:
            for j, (metre, text) in enumerate(_abc_tunes(p.read_text(errors='ignore'))):
                tunes.append((f'{p.stem}_{j}', metre, text))
        for i in rng.permutation(len(tunes)):
            name, metre, text = tunes[i]
            yield coll, name, metre, lambda t=text: [converter.parseData(t, format='abc')]


def m21_pieces(split: str, quota: int, verbose=True) -> list[dict]:
    "Up to `quota` regular pieces per metre and split (round robin over collections), cached under CACHE."
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f'm21_{split}_{quota}.json'
    if path.exists(): return json.loads(path.read_text())
    colls = TUNE_M21 if split == 'tune' else REPORT_M21
    gens = {c: _m21_items({c: f}) for c, f in colls.items()}
    got, t0 = [], time.time()
    count = lambda m: sum(p['metre'] == m for p in got)
    while gens and any(count(m) < quota for m in METRES):
        for c in list(gens):
            try: coll, name, metre, load = next(gens[c])
            except StopIteration: del gens[c]; continue
            if metre is not None and count(metre) >= quota: continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    scores = load()
            except Exception: continue   # music21 cannot read it: not a case
            for sc in scores:
                ms = {ts.ratioString for ts in sc.recurse().getElementsByClass('TimeSignature')}
                m = metre or (ms.pop() if len(ms) == 1 else None)
                if m not in METRES or count(m) >= quota: continue
                p = _piece(sc, m)
                if p: got.append(dict(p, collection=c, name=name))
        if verbose: print(f'  music21 {split}: ' + ', '.join(f'{m} {count(m)}' for m in METRES) + f' ({time.time() - t0:.0f} s)', file=sys.stderr)
    path.write_text(json.dumps(got))
    return got


# ----------------------------------------------------------------------------- cases
def _seed(*key) -> int: return int(hashlib.sha1('/'.join(map(str, key)).encode()).hexdigest()[:8], 16)


def _write(notes, bpm: float, lead: float, ts) -> bytes:
    "MIDI bytes of note tuples (onset q, length q, pitch, velocity, part), shifted by `lead` quarters, one signature or none."
    pm = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    if ts: pm.time_signature_changes.append(pretty_midi.TimeSignature(ts[0], ts[1], 0))
    spq = 60.0 / bpm
    for k in sorted({n[4] for n in notes}):
        inst = pretty_midi.Instrument(0, name=f'part {k + 1}')
        inst.notes = [pretty_midi.Note(v, p, (o + lead) * spq, (o + lead + d) * spq) for o, d, p, v, kk in notes if kk == k]
        pm.instruments.append(inst)
    buf = io.BytesIO(); pm.write(buf); return buf.getvalue()


def _truth(piece: dict, lead: float, spq: float) -> tuple[np.ndarray, np.ndarray]:
    "True beats and downbeats (s) of a piece written with `lead` quarters before its first note."
    end = max(o + d for o, d, *_ in piece['notes'])
    d0 = piece['first_downbeat']
    q = np.arange(d0 - np.floor(d0 + 1e-9), end - 1e-6, 1.0)          # quarters on the bar's beat lattice from the start
    bars = np.arange(d0, end - 1e-6, piece['bar'])
    return (q + lead) * spq, (bars + lead) * spq


def m21_cases(pieces: list[dict], split: str):
    "Yield the cases of music21 pieces: (group, name, song, true beats, true downbeats, bars of 4 beats or not)."
    for p in pieces:
        key = (split, p['collection'], p['name'])
        rng = np.random.default_rng(_seed(*key))
        bpm = float(rng.uniform(60, 140))
        spq = 60 / bpm
        pad = (p['bar'] - p['first_downbeat']) % p['bar'] if p['first_downbeat'] else 0.0
        name = f"{p['collection']}/{p['name']}"
        if p['metre'] != '4/4':   # relabelled 4/4, pickup not padded
            b, d = _truth(p, 0.0, spq)
            yield f"m21 {p['metre']}", name, read_midi(_write(p['notes'], bpm, 0.0, (4, 4)), reader='symusic'), b, d, False
            continue
        b, d = _truth(p, pad, spq)
        yield 'm21 4/4 as written', name, read_midi(_write(p['notes'], bpm, pad, (4, 4)), reader='symusic'), b, d, True
        ts = [(1, 4), (2, 4), None][rng.integers(3)]
        b, d = _truth(p, 0.0, spq)
        yield 'm21 4/4 1/4, 2/4, none', name, read_midi(_write(p['notes'], bpm, 0.0, ts), reader='symusic'), b, d, True
        lead = pad + int(rng.integers(4)) + float(rng.uniform(0.15, 0.85))
        ts = [(4, 4), (2, 4), (1, 4), None][rng.integers(4)]
        b, d = _truth(p, lead, spq)
        yield 'm21 4/4 shifted', name, read_midi(_write(p['notes'], bpm, lead, ts), reader='symusic'), b, d, True
        s = read_midi(_write(p['notes'], bpm, pad, (4, 4)), reader='symusic')
        b, d = _truth(p, pad, spq)
        yield 'm21 4/4 performed', name, *_perform(s, b, d, _seed(*key, 'perf')), True


def _perform(song: Song, beats, downbeats, seed: int) -> tuple[Song, np.ndarray, np.ndarray]:
    "`song` de-quantized (drift ±10 %, 20 ms jitter, two fermatas) under its own tempo map and signatures; its true beats and downbeats."
    perf, b, d = dequantize(song.notes, 0.10, 0.020, seed, beats, downbeats, fermatas=2)
    tt, bpm = song.tempos.time.to_numpy(), song.tempos.bpm.to_numpy()
    perf['onset_beat'] = seconds_to_beats(perf.onset.to_numpy(), tt, bpm)
    perf['offset_beat'] = seconds_to_beats(perf.offset.to_numpy(), tt, bpm)
    return Song(perf[song.notes.columns], song.tempos, song.time_signatures, song.tracks, song.resolution, song.name), b, d


def pop_cases(split: str, limit: int = 0):
    "Yield the cases of the pop songs of `split`: as they are, and performed."
    ids = [i for i in pop_ids() if pop_split(i) == {'tune': 'train', 'report': 'test', 'valid': 'valid'}[split]]
    for i in ids[:limit or None]:
        b, d = pop_beats(i)
        idx = np.searchsorted(b, d)
        four = pd.Series(np.diff(idx)).mode().iloc[0] == 4
        s = read_midi(pop_midi(i), reader='symusic')
        yield 'pop', i, s, b, d, bool(four)
        if four:
            yield 'pop perf', i, *_perform(s, b, d, _seed(split, 'pop', i)), True


@functools.lru_cache(maxsize=4)   # a song's two cases (as it is, performed) come one after the other: aligned once
def _recording(song_id: str) -> tuple | None:
    "The MIDI-time annotated beats of pop song `song_id`, and its recording's downbeats within their span (None: not aligned)."
    r = pop_audio_beats(song_id)
    if r is None: return None
    b0, _ = pop_beats(song_id)
    return b0, r[1][(r[1] >= b0[0] - 0.07) & (r[1] <= b0[-1] + 0.07)]


def recording_downbeats(song_id: str, beats: np.ndarray) -> np.ndarray | None:
    "Pop song `song_id`'s downbeats as its recording's annotation has them, on a case's time: through the same warp as the case's true beats `beats`."
    r = _recording(song_id)
    if r is None: return None
    b0, ad = r
    return np.interp(ad, b0, beats)   # the identity for a song as it is; a performed song's warp, beat by beat


# ----------------------------------------------------------------------------- the three contenders
def run_main(song: Song):
    "Today's behaviour: (kept, beats, downbeats, seconds)."
    t = time.perf_counter()
    kept = main_code.four_four_verdict(song.time_signatures).kept
    g = main_code.beat_grid(song)
    return kept, g.starts, g.starts[g.downbeat], time.perf_counter() - t


def run_new(song: Song):
    "This checkout's default: (kept, beats, downbeats, seconds)."
    from beatbert.song_grid import grid_verdict
    t = time.perf_counter()
    g, v = grid_verdict(song)
    return v.kept, g.starts, g.starts[g.downbeat], time.perf_counter() - t


def run_librosa(song: Song):
    "librosa's DP tracker on our onset envelope: (beats, downbeats every 4th beat from its first, seconds)."
    import librosa
    t = time.perf_counter()
    env, t0 = onset_envelope(song.notes)
    _, fr = librosa.beat.beat_track(onset_envelope=env - env.min(), sr=int(FPS), hop_length=1)
    b = t0 + np.asarray(fr, float) / FPS
    return b, b[::4], time.perf_counter() - t


def run_tracker(song: Song):
    "This checkout's tracker alone: (beats, downbeats, seconds)."
    from beatbert.downbeats import track_beats
    t = time.perf_counter()
    b, bim = track_beats(song.notes)
    return b, b[bim == 0], time.perf_counter() - t


# ----------------------------------------------------------------------------- scoring
def _f(ref, est) -> float:
    "mir_eval's F-measure (70 ms) on `est` within the span of `ref`, the first 5 s of both trimmed."
    ref, est = np.asarray(ref, float), np.asarray(est, float)
    if len(ref) == 0: return float('nan')
    est = est[(est >= ref[0] - 0.07) & (est <= ref[-1] + 0.07)]
    ref, est = mir_eval.beat.trim_beats(ref), mir_eval.beat.trim_beats(est)
    if len(ref) == 0: return float('nan')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return float(mir_eval.beat.f_measure(ref, est))


def evaluate(case, skip=()) -> dict:
    "Every contender on one case (those in `skip` give NaN)."
    group, name, song, b, d, four = case
    r = dict(group=group, song=name, four=four, secs=float(song.duration))
    nan = dict.fromkeys(['main_kept', 'main_beat_f', 'main_down_f', 'main_s', 'lib_beat_f', 'lib_down_f', 'lib_s'], np.nan)
    r |= nan
    try: kept, eb, ed, t = run_new(song); r |= dict(new_kept=kept, new_beat_f=_f(b, eb), new_down_f=_f(d, ed), new_s=t); new_down = ed
    except BeatbertError as e: r |= dict(new_kept=False, new_beat_f=np.nan, new_down_f=np.nan, new_s=np.nan, new_err=str(e)); new_down = None
    if 'main' not in skip:
        kept, eb, ed, t = run_main(song); r |= dict(main_kept=kept, main_beat_f=_f(b, eb), main_down_f=_f(d, ed), main_s=t)
    if 'librosa' not in skip:
        eb, ed, t = run_librosa(song); r |= dict(lib_beat_f=_f(b, eb), lib_down_f=_f(d, ed), lib_s=t)
    eb, ed, t = run_tracker(song); r |= dict(trk_beat_f=_f(b, eb), trk_down_f=_f(d, ed), trk_s=t)
    if group == 'pop perf':   # the same performance under a placeholder tempo map (120 bpm): the file's tempo misleads, if anything
        ph = Song(song.notes, pd.DataFrame({'time': [0.0], 'bpm': [120.0]}), song.time_signatures, song.tracks, song.resolution, song.name)
        try: _, eb, ed, _ = run_new(ph); r |= dict(ph_beat_f=_f(b, eb), ph_down_f=_f(d, ed))
        except BeatbertError: r |= dict(ph_beat_f=np.nan, ph_down_f=np.nan)
    rec = recording_downbeats(name, b) if group in ('pop', 'pop perf') else None   # pop's second downbeat annotation
    r |= dict(ann_down_f=np.nan if rec is None else _f(d, rec),
              rec_down_f=np.nan if rec is None or new_down is None else _f(rec, new_down))
    return r


def _cases(split: str, m21: int, pop: int):
    yield from pop_cases(split, pop)
    if split != 'valid': yield from m21_cases(m21_pieces(split, m21), split)


def _work(args):
    split, m21, pop, k, n, skip = args
    return [evaluate(c, skip) for j, c in enumerate(_cases(split, m21, pop)) if j % n == k]


def report(df: pd.DataFrame, split: str) -> str:
    "The table per group, and the headline figures against their targets."
    L = []
    g = df.groupby('group', sort=False)
    t = pd.DataFrame({'n': g.size(),
                      'kept main': g.main_kept.mean(), 'kept new': g.new_kept.mean(),
                      'beatF main': g.main_beat_f.mean(), 'beatF new': g.new_beat_f.mean(), 'beatF librosa': g.lib_beat_f.mean(),
                      'beatF tracker': g.trk_beat_f.mean(),
                      'downF main': g.main_down_f.mean(), 'downF new': g.new_down_f.mean(), 'downF librosa': g.lib_down_f.mean(),
                      'downF tracker': g.trk_down_f.mean()})
    four = df[df.four]
    other = df[~df.four]
    with pd.option_context('display.width', 250, 'display.float_format', '{:.3f}'.format):
        L.append(t.to_string())
        L.append('')
        L.append(f'pop songs with other bars (rejected?): ' + (', '.join(f'{r.song} main {"kept" if r.main_kept else "rejected"}, '
                 f'new {"kept" if r.new_kept else "rejected"}' for r in other[other.group == 'pop'].itertuples()) or 'none'))
    per3 = lambda col, d=df: (d[col] / d.secs * 180).mean()
    perf = df[df.group == 'pop perf']
    L.append('')
    L.append(f'== {split} split ({"pop test songs + music21 " + ", ".join(REPORT_M21) if split == "report" else "pop " + ("train songs + music21 " + ", ".join(TUNE_M21) if split == "tune" else "valid songs")}) ==')
    L.append(f'4/4 songs kept:            new {four.new_kept.mean():.3f}  main {four.main_kept.mean():.3f}  (target >= 0.95; n={len(four)})')
    if len(other):
        L.append(f'other metres rejected:     new {1 - other.new_kept.mean():.3f}  main {1 - other.main_kept.mean():.3f}  (target >= 0.90; n={len(other)})')
    L.append(f'default grid beat F:       new {four.new_beat_f.mean():.3f}  main {four.main_beat_f.mean():.3f}  librosa {four.lib_beat_f.mean():.3f}  (target >= 0.90; 4/4 cases)')
    L.append(f'default grid downbeat F:   new {four.new_down_f.mean():.3f}  main {four.main_down_f.mean():.3f}  librosa {four.lib_down_f.mean():.3f}  (target >= 0.80; 4/4 cases)')
    if len(perf):
        L.append(f'de-quantized pop beat F:   new default {perf.new_beat_f.mean():.3f}  tracker {perf.trk_beat_f.mean():.3f}  main {perf.main_beat_f.mean():.3f}  librosa {perf.lib_beat_f.mean():.3f}  (target >= 0.85)')
    if len(perf) and 'ph_beat_f' in perf:
        L.append(f'the same, file at 120 bpm:  new default beat F {perf.ph_beat_f.mean():.3f}, downbeat F {perf.ph_down_f.mean():.3f} '
                 f'(against {perf.new_beat_f.mean():.3f} and {perf.new_down_f.mean():.3f} under their own tempo; the tracker alone {perf.trk_beat_f.mean():.3f} and {perf.trk_down_f.mean():.3f})')
    pops = four[four.group.isin(['pop', 'pop perf']) & four.rec_down_f.notna()]
    if len(pops):   # pop's downbeats annotated twice (`beatbert.pop.pop_audio_beats`): the default grid against both
        for gname, p in pops.groupby('group', sort=False):
            L.append(f'{gname + " downbeat F:":<27}new {p.new_down_f.mean():.3f} against the MIDI-time annotation, {p.rec_down_f.mean():.3f} against '
                     f'the recording\'s; the two annotations agree at {p.ann_down_f.mean():.3f} (n={len(p)})')
        alt = four.new_down_f.where(~four.index.isin(pops.index), four.rec_down_f)
        L.append(f'default grid downbeat F, pop against the recording\'s annotation: new {alt.mean():.3f}  (4/4 cases; the target reads the MIDI-time one)')
    L.append(f'seconds per song:          new default {df.new_s.mean():.3f}  main default {df.main_s.mean():.3f}  tracker {df.trk_s.mean():.3f}  librosa {df.lib_s.mean():.3f}  (mean song {df.secs.mean():.0f} s)')
    L.append(f'seconds per 3-min song:    tracker {per3("trk_s"):.3f}  librosa (same envelope) {per3("lib_s"):.3f}  ratio {per3("trk_s") / per3("lib_s"):.2f}  (target <= 0.05; each song scaled to 3 min, then the mean: a short piece weighs ~7x)')
    near = df[(df.secs >= 150) & (df.secs <= 210)]   # songs of about 3 minutes, timed as they are
    if len(near):
        L.append(f'seconds per song of 2.5-3.5 min: tracker {near.trk_s.mean():.3f}  librosa {near.lib_s.mean():.3f}  (target <= 0.05; n={len(near)})')
    L.append(f'load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on {os.cpu_count()} cores')
    return '\n'.join(L)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--split', choices=['report', 'tune', 'valid'], default='report')
    ap.add_argument('--m21', type=int, default=60, help='music21 pieces per metre (4/4, 3/4, 6/8)')
    ap.add_argument('--pop', type=int, default=0, help='pop songs (0: all of the split)')
    ap.add_argument('--workers', type=int, default=1)
    ap.add_argument('--csv', help='write the per-case rows here')
    ap.add_argument('--skip', default='', help="contenders not run, comma-separated: 'main', 'librosa' (for quick runs while tuning)")
    a = ap.parse_args(argv)
    skip = tuple(s for s in a.skip.split(',') if s)
    if a.split != 'valid': m21_pieces(a.split, a.m21)   # build the cache once, before any worker
    if a.workers > 1:
        from multiprocessing import get_context
        with get_context('spawn').Pool(a.workers) as pool:
            rows = [r for part in pool.map(_work, [(a.split, a.m21, a.pop, k, a.workers, skip) for k in range(a.workers)]) for r in part]
    else: rows = _work((a.split, a.m21, a.pop, 0, 1, skip))
    df = pd.DataFrame(rows)
    if a.csv: df.to_csv(a.csv, index=False)
    print(report(df, a.split))


if __name__ == '__main__':
    main()
