"""Roles of untagged tracks against the tagged truth: relative register (today) beside the absolute thresholds (before).

    python bench/roles.py [--n 100] [--seed 0] [--peer fb5567e]

Songs whose tracks say what they are (band: a Bass track and a Melody track by name or program; music21's Bach
chorales: Soprano and Bass voices by name; pop: a MELODY track) are read with every track made anonymous (name '',
program 0; drums kept), so that only the register rules decide. The truth of a note is its track's role in the tagged
song (bass, melody, or chord for every other pitched track). Printed per source: songs, notes, and for bass and
melody the precision and recall of the rules over all notes, for the relative rules of `beatbert.roles` and for the
absolute thresholds of the peer commit (`assign_roles` of `beatbert/roles.py` at --peer: bass below MIDI 60, melody from
MIDI 55), measured in the same run; then the share of notes whose role changes when the song is moved by -6..+6.
Pop has no bass truth (its PIANO track holds bass and chords), so only melody is scored there. None of these sources
tuned the rules' constants (BASS_BELOW = 0, MELODY_FROM = -5 were set to mirror the old C4 / G3 before any run).
"""
from __future__ import annotations
import argparse, subprocess, sys, time, types
from dataclasses import replace
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from beatbert.midi import BeatbertError, read_midi, load_song, transpose
from beatbert.roles import assign_roles, track_roles


def peer_roles(commit: str):
    "`assign_roles` of beatbert/roles.py at `commit` (the absolute thresholds)."
    src = subprocess.run(['git', '-C', str(ROOT), 'show', f'{commit}:beatbert/roles.py'], capture_output=True, text=True, check=True).stdout
    mod = types.ModuleType('roles_peer'); mod.__dict__['__package__'] = 'beatbert'
    exec(compile(src, f'roles@{commit}', 'exec'), mod.__dict__)
    return mod.assign_roles


def anonymous(song):
    "The song with every track nameless on program 0 (drums stay drums), and the truth role of each note."
    tr = track_roles(song.tracks)
    truth = np.array([{'bass': 'bass', 'melody': 'melody'}.get(tr.get(t, ''), 'chord') for t in song.notes.track], object)
    tracks = song.tracks.assign(name='', program=0)
    notes = song.notes.assign(track_name='', program=np.int16(0))
    return replace(song, notes=notes, tracks=tracks, pm=None), truth


def candidates(source: str, corpus: Path, n: int, seed: int) -> list:
    "Up to `n` songs of `source` whose tags give a truth (bass and melody tracks; pop: a melody track)."
    if source == 'pop':
        from beatbert.pop import pop_ids, pop_midi
        ids = pop_ids(); files = [pop_midi(i) for i in ids]
    elif source == 'bach': files = sorted((corpus / 'music21' / 'bach').rglob('*.mid'))
    else: files = sorted((corpus / source).rglob('*.mid'))
    out = []
    for i in np.random.default_rng(seed).permutation(len(files)):
        if len(out) >= n: break
        try: s = read_midi(files[i], reader='symusic') if source == 'pop' else load_song(files[i], reader='symusic')
        except BeatbertError: continue
        tr = set(track_roles(s.tracks))
        if 'melody' in tr and ('bass' in tr or source == 'pop'): out.append(s)
    return out


def score(pred, truth, role) -> tuple:
    "(precision, recall) of `role` over notes."
    p, t = pred == role, truth == role
    return (p & t).sum() / max(p.sum(), 1), (p & t).sum() / max(t.sum(), 1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=100, help='songs per source')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--peer', default='fb5567e', help='commit whose roles.py has the absolute thresholds')
    ap.add_argument('--corpus', default=str(ROOT / 'cache' / 'corpus-default' / 'sources'))
    a = ap.parse_args(argv)
    old = peer_roles(a.peer)
    print(f"{'source':<7}{'songs':>6}{'notes':>8}  {'rules':<9}{'bass P':>8}{'bass R':>8}{'mel P':>8}{'mel R':>8}{'moved by ±6':>13}")
    for source in ('band', 'bach', 'pop'):
        t0 = time.perf_counter()
        songs = candidates(source, Path(a.corpus), a.n, a.seed)
        res = {}
        for name, fn in (('relative', assign_roles), ('absolute', old)):
            preds, truths, moved, total = [], [], 0, 0
            for s in songs:
                anon, truth = anonymous(s)
                keep = ~s.notes.is_drum.to_numpy()
                r0 = fn(anon).role.astype(str).to_numpy()
                preds.append(r0[keep]); truths.append(truth[keep])
                for k in (-6, -3, 3, 6):
                    try: rk = fn(transpose(anon, k)).role.astype(str).to_numpy()
                    except ValueError: continue
                    moved += (rk != r0)[keep].sum(); total += keep.sum()
            P, T = np.concatenate(preds), np.concatenate(truths)
            res[name] = (*score(P, T, 'bass'), *score(P, T, 'melody'), moved / max(total, 1), len(P))
        for name, (bp, br, mp, mr, mv, nn) in res.items():
            bass = f'{bp:>8.3f}{br:>8.3f}' if source != 'pop' else f"{'-':>8}{'-':>8}"
            print(f'{source:<7}{len(songs):>6}{nn:>8}  {name:<9}{bass}{mp:>8.3f}{mr:>8.3f}{mv:>13.4f}')
        print(f'        ({time.perf_counter() - t0:.0f} s)')


if __name__ == '__main__': main()
