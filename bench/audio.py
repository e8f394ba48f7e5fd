"""Benchmark audio -> MIDI: render the 4/4 songs of data/ to audio, transcribe them back, compare with the originals.

    python bench/audio.py [--synth auto|fluidsynth|own] [--no-separation] [--weights PATH] [--songs a,b]

Needs the audio extra (pip install -e ".[audio]"). Each 4/4 song in data/*.mid is rendered (fluidsynth with a GM
soundfont when installed, else beatbert's own synthesizer) to cache/bench_audio/SONG.wav, transcribed with
beatbert.audio.transcribe (demucs stems when weights are found locally, else the --no-separation path, and the output
says which), and scored against the original MIDI:

- note F1: mir_eval.transcription.precision_recall_f1_overlap on pitched notes, onsets within 50 ms and the same
  pitch (to the nearest semitone), offsets ignored (offset_ratio=None);
- beat F: mir_eval.beat.f_measure (70 ms window) of the transcribed MIDI's file grid (its tempo map, i.e. the beats
  tracked from the audio) against the original's file grid; downbeat F likewise on bar starts;
- features: the beats of both songs on their file grids are matched by time (each original beat to the transcribed
  beat starting within 70 ms of it; a grid at another tempo level or phase leaves beats unmatched), then, over
  matched beats, `bits` is the fraction of all feature bits that agree and `fired F1` the F1 of the transcription's
  fired features against the original's (most bits are 0 in both, which `bits` rewards and `fired F1` does not).
  `matched` is the fraction of original beats that found a partner. The metre features of a matched pair agree only
  when the downbeats agree too.

The last line is the headline: mean note F1, beat F, downbeat F, features fired F1 and bit agreement.
"""
from __future__ import annotations
import argparse, sys, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd
import mir_eval

ROOT = Path(__file__).resolve().parents[1]  # the repository root
sys.path.insert(0, str(ROOT))
from beatbert.midi import read_midi, load_song, BeatbertError
from beatbert.grid import file_grid
from beatbert.beats import make_beats
from beatbert.features import beat_features
from beatbert.audio import (render_midi, write_wav, transcribe, find_demucs_weights, find_soundfont, audio_missing,
                            MissingWeightsError, SR)

OUT = ROOT / 'cache' / 'bench_audio'
WINDOW = 0.07  # s: mir_eval's beat window, also used to match beats


def _hz(p): return 440.0 * 2 ** ((np.asarray(p, float) - 69) / 12)


def note_scores(ref, est) -> tuple[float, float, float]:
    "Precision, recall, F1 of pitched-note onsets (50 ms, same semitone)."
    r, e = ref.pitched, est.pitched
    if len(e) == 0: return 0.0, 0.0, 0.0
    return mir_eval.transcription.precision_recall_f1_overlap(
        r[['onset', 'offset']].to_numpy(), _hz(r.pitch), e[['onset', 'offset']].to_numpy(), _hz(e.pitch),
        offset_ratio=None)[:3]


def match_beats(ref_t, est_t, window=WINDOW) -> tuple[np.ndarray, np.ndarray]:
    "Index pairs (i, j): original beat i and the transcribed beat j starting nearest to it, within `window` s."
    j = np.clip(np.searchsorted(est_t, ref_t), 1, len(est_t) - 1)
    j = np.where(np.abs(est_t[j - 1] - ref_t) < np.abs(est_t[j] - ref_t), j - 1, j)
    ok = np.abs(est_t[j] - ref_t) <= window
    return np.flatnonzero(ok), j[ok]


def score(orig_path, mid_path) -> dict:
    ref, est = load_song(orig_path), load_song(mid_path)
    p, r, f = note_scores(ref, est)
    gr, ge = file_grid(ref), file_grid(est)
    beat_f = mir_eval.beat.f_measure(gr.starts[gr.starts >= 0], ge.starts[ge.starts >= 0])
    down_f = mir_eval.beat.f_measure(gr.starts[gr.downbeat & (gr.starts >= 0)], ge.starts[ge.downbeat & (ge.starts >= 0)])
    Fr, Fe = beat_features(make_beats(ref, gr)), beat_features(make_beats(est, ge))
    i, j = match_beats(gr.starts, ge.starts)
    a, b = Fr[i], Fe[j]
    tp = (a & b).sum(); fired_f1 = 2 * tp / max(a.sum() + b.sum(), 1)
    return dict(notes_ref=len(ref.pitched), notes_est=len(est.pitched), drums_est=int(est.notes.is_drum.sum()),
                note_p=p, note_r=r, note_f1=f, beat_f=beat_f, down_f=down_f, matched=len(i) / len(gr),
                bits=float((a == b).mean()) if len(i) else 0.0, fired_f1=float(fired_f1),
                bpm_ref=60 / np.median(np.diff(gr.starts)), bpm_est=60 / np.median(np.diff(ge.starts)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--synth', choices=['auto', 'fluidsynth', 'own'], default='auto', help='how to render MIDI to audio')
    ap.add_argument('--no-separation', action='store_true', help='transcribe the mix even when demucs weights exist')
    ap.add_argument('--weights', help='demucs weights (file or folder); default: BEATBERT_DEMUCS_WEIGHTS, then the caches')
    ap.add_argument('--songs', help='comma-separated song names from data/ (default: every 4/4 song)')
    a = ap.parse_args(argv)
    if audio_missing(): sys.exit(f"bench/audio.py needs the audio extra ({', '.join(audio_missing())} missing): pip install -e '.[audio]'")
    separation = not a.no_separation
    if separation:
        try: w = find_demucs_weights(a.weights); print(f'separation: demucs, weights {w}')
        except MissingWeightsError:
            separation = False
            print('separation: none -- no demucs weights on this machine, so this run takes the --no-separation path '
                  '(the mix as one stem: harmonic part -> notes, percussive part -> drums)')
    else: print('separation: none (--no-separation)')
    synth = a.synth if a.synth != 'auto' else ('fluidsynth' if find_soundfont() else 'own')
    print(f'rendering: {synth}' + (f' ({find_soundfont()})' if synth == 'fluidsynth' else ' (beatbert.audio.synthesize)'))
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for f in sorted((ROOT / 'data').glob('*.mid')):
        if a.songs and f.stem not in a.songs.split(','): continue
        try: load_song(f)
        except BeatbertError as e: print(f'  skip {f.name}: {e}'); continue
        wav = write_wav(OUT / f'{f.stem}.{synth}.wav', render_midi(f, SR, synth), SR)
        t0 = time.time()
        mid = transcribe(wav, OUT / f'{f.stem}.{synth}.{"sep" if separation else "mix"}.mid', separation=separation, weights=a.weights)
        rows.append(dict(song=f.stem, seconds=round(time.time() - t0, 1)) | score(f, mid))
    df = pd.DataFrame(rows).set_index('song')
    mean = df.mean(numeric_only=True).rename('mean')
    with pd.option_context('display.width', 200, 'display.max_columns', 30, 'display.float_format', '{:.2f}'.format):
        print(pd.concat([df, mean.to_frame().T]).to_string())
    print(f"audio: {len(df)} songs, {'demucs stems' if separation else 'no separation'}, {synth} rendering: "
          f"note F1 {mean.note_f1:.2f} (P {mean.note_p:.2f} R {mean.note_r:.2f}), beat F {mean.beat_f:.2f}, "
          f"downbeat F {mean.down_f:.2f}, beat features fired F1 {mean.fired_f1:.2f} (bits agree {mean.bits:.3f}, "
          f"{mean.matched:.0%} of beats matched)")


if __name__ == '__main__':
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        main()
