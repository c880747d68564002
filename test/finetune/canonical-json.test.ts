import { describe, expect, it } from 'vitest';
import { canonicalJson, jobIdForSpec } from '../../lib/finetune';

describe('canonicalJson and job ids', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 'x' }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[1,{"y":"x","z":0}]},"b":1}');
    expect(canonicalJson([undefined, 'é'])).toBe('[null,"é"]');
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ a: [1, Infinity] })).toThrow(/\$\.a\[1\] is Infinity/);
    expect(() => canonicalJson({ a: new Date(0) })).toThrow(/\$\.a is a Date/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
  });

  it('gives the same id for the same spec in any key order, a different one otherwise', () => {
    const a = jobIdForSpec({ lr: 0.001, base: { init: { layers: 2, hidden: 64 } } });
    expect(a).toMatch(/^ft-[0-9a-f]{16}$/);
    expect(jobIdForSpec({ base: { init: { hidden: 64, layers: 2 } }, lr: 0.001 })).toBe(a);
    expect(jobIdForSpec({ base: { init: { hidden: 64, layers: 3 } }, lr: 0.001 })).not.toBe(a);
    // Pinned: the id is part of on-disk state, so it must not drift between versions.
    expect(jobIdForSpec({})).toBe('ft-44136fa355b3678a');
    expect(() => jobIdForSpec([] as never)).toThrow(/expected a JSON object, found an array/);
  });
});
