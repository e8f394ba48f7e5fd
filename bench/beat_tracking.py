"""Benchmark the symbolic beat tracker on de-quantized 4/4 songs.

    python bench/beat_tracking.py [--n 40] [--seed 0] [--drift 0.10] [--jitter 0.020]

Songs: 4/4 pieces from music21's bundled corpus (Bach chorales, Essen folk songs, Ryan's Mammoth
fiddle tunes), written once to MIDI under cache/bench_midi/ (git-ignored; music21 parsing is slow),
plus any 4/4 song in data/*.mid. Each song is de-quantized (smooth tempo drift, onset jitter), tracked,
and scored with mir_eval against the warped true beats and downbeats. The baseline trusts the file's
grid: constant 120 bpm from 0 s, downbeats every 4 beats. The last line printed is the headline.
"""
from __future__ import annotations
import argparse, json, sys, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd
import pretty_midi
import mir_eval

ROOT = Path(__file__).resolve().parents[1]  # the repository root
sys.path.insert(0, str(ROOT))
from beatbert.grid import dequantize, file_grid
from beatbert.song_grid import grid_trust, TRUST_MIN
from beatbert.downbeats import track_beats
from beatbert.midi import read_midi, Song
from beatbert.m21 import score_to_midi

CACHE = ROOT / 'cache' / 'bench_midi'  # written MIDI of the corpus pieces, and index.json
QUOTA = 40        # pieces kept per corpus source (the cache holds at most this many of each)
MIN_MEASURES = 8  # shorter pieces are skipped: too little to track
BPM = 120.0       # the tempo every cached file claims


# ----------------------------------------------------------------------------- corpus -> MIDI cache
def _four_four_regular(score) -> tuple[bool, float, str]:
    "Whether every time signature is 4/4 and every measure but the first and last lasts 4 quarters; the pickup length; why not."
    tss = {ts.ratioString for ts in score.recurse().getElementsByClass('TimeSignature')}
    if tss != {'4/4'}: return False, 0.0, f'time signatures {sorted(tss) or "none"}'
    part = score.parts[0] if hasattr(score, 'parts') and len(score.parts) else score
    ms = list(part.getElementsByClass('Measure'))
    if len(ms) < MIN_MEASURES: return False, 0.0, f'{len(ms)} measures'
    durs = [float(m.duration.quarterLength) for m in ms]
    pickup = 4.0 - durs[0] if durs[0] < 4.0 - 1e-6 else 0.0  # quarters missing from the first measure
    # full measures must start on a bar line of the padded grid; a bar split in two around a repeat sign is fine
    pos = pickup
    for d in durs:
        if abs(d - 4.0) < 1e-6 and abs(pos / 4.0 - round(pos / 4.0)) > 1e-6: return False, 0.0, 'irregular measure inside'
        pos += d
    return True, pickup, ''


def _score_to_midi(score, pickup: float) -> pretty_midi.PrettyMIDI:
    "A PrettyMIDI at constant 120 bpm in 4/4, one track per part, the pickup padded (the corpus's own writer)."
    return score_to_midi(score, pickup, bpm=BPM)


def _candidates():
    "Yield (source, name, loader) for corpus pieces in a fixed order, one source at a time."
    from music21 import corpus
    rng = np.random.default_rng(0)  # fixed: the cache must not depend on --seed
    bach = sorted(str(p) for p in corpus.getComposer('bach'))
    for p in [bach[i] for i in rng.permutation(len(bach))]:
        yield 'bach', Path(p).stem, lambda p=p: [corpus.parse(p)]
    ryans = sorted(str(p) for p in corpus.getComposer('ryansMammoth'))
    for p in [ryans[i] for i in rng.permutation(len(ryans))]:
        yield 'ryans', Path(p).stem, lambda p=p: _scores(corpus.parse(p))
    for coll in ['kinder0', 'han1', 'han2', 'altdeu10', 'altdeu20', 'erk10', 'boehme10', 'fink0']:  # Essen collections
        yield 'essen', coll, lambda c=coll: _scores(corpus.parse(f'essenFolksong/{c}'))


def _scores(obj) -> list:
    "The scores of a music21 Opus, or [obj] for a single score."
    return list(obj.scores) if hasattr(obj, 'scores') and len(obj.scores) else [obj]


def build_cache(quota: int = QUOTA, verbose: bool = True) -> dict:
    "Write up to `quota` regular 4/4 pieces per source to CACHE as MIDI; return the index {source: [file names]}."
    CACHE.mkdir(parents=True, exist_ok=True)
    idx_path = CACHE / 'index.json'
    index = json.loads(idx_path.read_text()) if idx_path.exists() else {}
    if index.get('_quota') == quota: return index
    index, t0 = {'_quota': quota}, time.time()
    for source, name, load in _candidates():
        kept = index.setdefault(source, [])
        if len(kept) >= quota: continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                scores = load()
        except Exception as e:  # a piece music21 cannot read is skipped
            if verbose: print(f'  skip {source}/{name}: {type(e).__name__}: {e}', file=sys.stderr)
            continue
        for j, sc in enumerate(scores):
            if len(kept) >= quota: break
            ok, pickup, why = _four_four_regular(sc)
            if not ok: continue
            fn = f'{source}__{name}' + (f'__{j:03d}' if len(scores) > 1 else '') + '.mid'
            pm = _score_to_midi(sc, pickup)
            if not pm.instruments: continue
            pm.write(str(CACHE / fn)); kept.append(fn)
        if verbose: print(f'  cache: {source}/{name}: {len(kept)} kept ({time.time() - t0:.0f} s)', file=sys.stderr)
    idx_path.write_text(json.dumps(index, indent=1))
    return index


# ----------------------------------------------------------------------------- songs
def _notes(pm: pretty_midi.PrettyMIDI) -> pd.DataFrame:
    "The tidy notes table (onset, offset, pitch, velocity, program, is_drum, track) of a PrettyMIDI."
    rows = [(n.start, n.end, n.pitch, n.velocity, inst.program, inst.is_drum, k)
            for k, inst in enumerate(pm.instruments) for n in inst.notes if n.end > n.start]
    return pd.DataFrame(rows, columns=['onset', 'offset', 'pitch', 'velocity', 'program', 'is_drum', 'track']
                        ).sort_values(['onset', 'pitch'], kind='stable').reset_index(drop=True)


def _is_four_four(pm: pretty_midi.PrettyMIDI) -> bool:
    "Whether every time signature of `pm` is 4/4 (none at all counts as 4/4)."
    return all(ts.numerator == 4 and ts.denominator == 4 for ts in pm.time_signature_changes)


def pick_songs(n: int, seed: int) -> list[Path]:
    "`n` songs chosen deterministically from `seed`: sources taken in turn, each source shuffled by the seed."
    index = build_cache()
    pools = {src: [CACHE / f for f in files] for src, files in index.items() if not src.startswith('_')}
    data = sorted((ROOT / 'data').glob('*.mid'))
    if data: pools['data'] = data
    rng = np.random.default_rng(seed)
    pools = {src: [files[i] for i in rng.permutation(len(files))] for src, files in sorted(pools.items())}
    out = []
    while len(out) < n and any(pools.values()):
        for src in list(pools):
            if pools[src] and len(out) < n: out.append(pools[src].pop(0))
    return out


# ----------------------------------------------------------------------------- scoring
def _f(ref: np.ndarray, est: np.ndarray) -> float:
    "mir_eval's beat F-measure (70 ms window) after dropping the first 5 s of both sequences."
    return float(mir_eval.beat.f_measure(mir_eval.beat.trim_beats(np.asarray(ref)), mir_eval.beat.trim_beats(np.asarray(est))))


def evaluate(path: Path, drift: float, jitter: float, seed: int) -> dict | None:
    "De-quantize one song, track it, and score the tracker and the constant-120-bpm file grid; None if not 4/4."
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        pm = pretty_midi.PrettyMIDI(str(path))
    if not _is_four_four(pm): return None
    notes = _notes(pm)
    notes = notes[notes.onset < pm.get_end_time()]
    perf, ref_b, ref_d = dequantize(notes, drift=drift, jitter=jitter, seed=seed,
                                    beats=pm.get_beats(), downbeats=pm.get_downbeats())
    end = float(perf.offset.max())
    ref_b, ref_d = ref_b[ref_b <= end + 1e-6], ref_d[ref_d <= end + 1e-6]
    t = time.perf_counter()
    beats, bim = track_beats(perf)
    secs = time.perf_counter() - t
    base = np.arange(0.0, end + 1e-9, 0.5)  # the file's claim: 120 bpm from 0 s, 4/4 bars from 0 s
    est_bpm = 60.0 / np.median(np.diff(beats)) if len(beats) > 1 else float('nan')
    true_bpm = 60.0 / np.median(np.diff(ref_b))
    # would auto mode have tracked? trust of the constant-120 file grid for the performance, and for the original file
    song = read_midi(path)
    perf_song = Song(perf.assign(onset_beat=perf.onset * 2, offset_beat=perf.offset * 2), song.tempos,
                     song.time_signatures, song.tracks)
    trust_perf, trust_orig = grid_trust(perf_song, file_grid(perf_song)), grid_trust(song, file_grid(song))
    return dict(song=path.stem, secs=end, true_bpm=true_bpm, est_bpm=est_bpm, trust_perf=trust_perf, trust_orig=trust_orig,
                beat_f=_f(ref_b, beats), down_f=_f(ref_d, beats[bim == 0]),
                base_beat_f=_f(ref_b, base), base_down_f=_f(ref_d, base[::4]), time=secs)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=40, help='number of songs')
    ap.add_argument('--seed', type=int, default=0, help='seed of the song choice and of the de-quantization')
    ap.add_argument('--drift', type=float, default=0.10, help='largest relative tempo drift')
    ap.add_argument('--jitter', type=float, default=0.020, help='onset jitter std, s')
    ap.add_argument('--build-cache', action='store_true', help='only write the MIDI cache, then stop')
    a = ap.parse_args(argv)
    if a.build_cache: build_cache(); return
    print(f'tracker: {track_beats.__module__}')
    rows = []
    for k, path in enumerate(pick_songs(10 * a.n, a.seed)):  # a song that is not 4/4 is skipped
        r = evaluate(path, a.drift, a.jitter, a.seed * 1000 + k)
        if r: rows.append(r)
        if len(rows) == a.n: break
    df = pd.DataFrame(rows)
    with pd.option_context('display.width', 200, 'display.max_rows', 500, 'display.float_format', '{:.2f}'.format):
        print(df.to_string(index=False))
    print(f'beat_tracking: n={len(df)} mean beat F={df.beat_f.mean():.2f} (target >= 0.90), '
          f'mean downbeat F={df.down_f.mean():.2f}, baseline (file grid at 120 bpm) beat F={df.base_beat_f.mean():.2f} '
          f'downbeat F={df.base_down_f.mean():.2f}, {df.time.mean():.2f} s/song (mean song {df.secs.mean():.0f} s); '
          f'auto mode tracks {(df.trust_perf < TRUST_MIN).mean():.0%} of performances, trusts {(df.trust_orig >= TRUST_MIN).mean():.0%} of originals')


if __name__ == '__main__':
    main()
