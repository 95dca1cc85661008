import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../../src/tracker/emitter.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { handResult } from '../../helpers/tracker-fixtures.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

describe('TypedEmitter listener counts', () => {
  it('tells its owner the count of an event each time it changes', () => {
    const seen: [string, number][] = [];
    const e = new TypedEmitter<{ a: () => void; b: () => void }>((event, n) => seen.push([String(event), n]));
    const f = () => {};
    const g = () => {};
    const offF = e.on('a', f);
    e.on('a', g);
    e.once('b', f);
    e.off('a', () => {}); // not a listener of `a`: no change
    offF();
    offF(); // already removed: no change
    e.emit('b');
    e.off('a', g);
    expect(seen).toEqual([
      ['a', 1],
      ['a', 2],
      ['b', 1],
      ['a', 1],
      ['b', 0],
      ['a', 0],
    ]);
    for (const event of ['a', 'b'] as const) expect(e.listenerCount(event)).toBe(0);
  });

  it('the tracker emits `record` exactly while it has listeners, however they were added and removed', () => {
    const t = new CostTracker({ now: () => T0, sinks: [] });
    const calls: string[] = [];
    const one = () => calls.push('one');
    const two = () => calls.push('two');
    t.record(handResult(1));
    const offOne = t.on('record', one);
    t.once('record', two);
    t.record(handResult(2)); // one, two (once)
    t.record(handResult(3)); // one
    t.on('record', one); // the same function twice: called twice
    t.record(handResult(4)); // one, one
    offOne(); // removes one of the two
    t.record(handResult(5)); // one
    t.off('record', one);
    t.record(handResult(6)); // none
    expect(calls).toEqual(['one', 'two', 'one', 'one', 'one', 'one']);
  });
});

describe('TypedEmitter once', () => {
  it('off() with the listener given to once() removes it before it fires, as node:events does', () => {
    const e = new TypedEmitter<{ a: (n: number) => void }>();
    const got: string[] = [];
    const f = (n: number) => got.push(`f${n}`);
    const g = (n: number) => got.push(`g${n}`);
    e.once('a', f);
    e.once('a', g);
    e.off('a', f);
    expect(e.listenerCount('a')).toBe(1);
    e.emit('a', 1);
    e.emit('a', 2);
    expect(got).toEqual(['g1']);
    expect(e.listenerCount('a')).toBe(0);
  });

  it('off() of a listener added both ways removes one of them at a time', () => {
    const e = new TypedEmitter<{ a: () => void }>();
    let n = 0;
    const f = () => n++;
    e.on('a', f);
    e.once('a', f);
    e.off('a', f); // the plain one first (found by identity)
    e.emit('a'); // the once wrapper fires and goes
    e.emit('a');
    expect(n).toBe(1);
    expect(e.listenerCount('a')).toBe(0);
  });
});
