"""Benchmark the pop songs' labels: seconds per song of each stage of `materialize_pop` and of reading labels back.

    python bench/pop_labels.py [--songs 60]

On every k-th pop song (--songs of them), it times: reading the MIDI file (symusic, the peer every ratio is to), the
chord alignment of the recording's time (`pop_alignment`), placing the keys (`pop_keys`), laying the phrase melody
on the MIDI (`pop_melody_offset`), writing the JAMS file (`write_jams`), and reading it back onto the annotated beats
(`annotations_beside` + `labels_on_grid`). It prints the load (os.getloadavg) beside the figures. The last line is
the headline: `materialize_pop` seconds per song, and its ratio to reading the MIDI file.
"""
from __future__ import annotations
import argparse, os, sys, tempfile, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from beatbert.midi import read_midi
from beatbert.labels import write_jams, annotations_beside, labels_on_grid
from beatbert.pop import pop_ids, pop_midi, pop_alignment, pop_keys, pop_melody_offset, pop_annotations


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--songs', type=int, default=60, help='how many songs, evenly spread over the 600')
    a = ap.parse_args(argv)
    ids = pop_ids(); ids = ids[:: max(1, len(ids) // a.songs)][: a.songs]
    read_midi(pop_midi(ids[0]), reader='symusic')                      # imports and caches out of the timing
    tmp = Path(tempfile.mkdtemp())
    t = {k: 0.0 for k in ('read MIDI (peer)', 'alignment', 'keys', 'melody offset', 'all annotations', 'write JAMS', 'read back on the grid')}
    load0 = os.getloadavg()[0]
    for sid in ids:
        s = time.perf_counter(); read_midi(pop_midi(sid), reader='symusic'); t['read MIDI (peer)'] += time.perf_counter() - s
        s = time.perf_counter(); al = pop_alignment(sid); t['alignment'] += time.perf_counter() - s
        s = time.perf_counter(); pop_keys(sid, align=al); t['keys'] += time.perf_counter() - s
        s = time.perf_counter(); pop_melody_offset(sid); t['melody offset'] += time.perf_counter() - s
        s = time.perf_counter(); ann, _ = pop_annotations(sid); t['all annotations'] += time.perf_counter() - s
        s = time.perf_counter(); write_jams(ann, tmp / f'{sid}.jams'); t['write JAMS'] += time.perf_counter() - s
        (tmp / f'{sid}.mid').write_bytes(pop_midi(sid).read_bytes())
        s = time.perf_counter(); labels_on_grid(annotations_beside(tmp / f'{sid}.mid'), ann.beats.time.to_numpy())
        t['read back on the grid'] += time.perf_counter() - s
    peer = t['read MIDI (peer)'] / len(ids)
    print(f'{len(ids)} songs; load average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end ({os.cpu_count()} cores)')
    for k, v in t.items(): print(f'{k:>24}: {v / len(ids):.3f} s per song, {v / len(ids) / peer:.1f}x reading the MIDI file')
    mat = (t['all annotations'] + t['write JAMS']) / len(ids)
    print(f'materialize_pop: {mat:.2f} s per song ({mat * 600 / 60:.1f} min for the 600 on one core), {mat / peer:.0f}x reading the MIDI file')


if __name__ == '__main__':
    main()
