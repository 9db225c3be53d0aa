import { blockDayInto, decodeBlock, encodeBlock, chunkValueAt, decodeChunk, encodeChunk } from '../../src/growth/codec';

const days = (f: (i: number) => number) => Float64Array.from({ length: 32 }, (_, i) => f(i));
const counts = (f: (i: number) => number) => Int32Array.from({ length: 32 }, (_, i) => f(i));

test.each([
  ['small steady audience', days((i) => 1000 + i * 3), counts(() => 4)],
  ['nothing tracked', days(() => 0), counts(() => 0)],
  ['a drop to zero and a channel closing', days((i) => (i < 10 ? 500 : i < 20 ? 0 : 77)), counts((i) => (i < 20 ? 2 : 1))],
  ['negative deltas as an incremental update subtracts', days((i) => (i === 0 ? 0 : -i * 1000)), counts((i) => -1 + (i % 2))],
  ['sums beyond 32 bits', days((i) => 2 ** 40 + i * 7919), counts(() => 70_000)],
  ['non-integer sums fall back to float64', days((i) => i / 3), counts(() => 1)],
])('a chunk round-trips: %s', (_name, sum, cnt) => {
  const buf = encodeChunk(sum, cnt);
  const back = decodeChunk(buf);
  expect(Array.from(back.sum)).toEqual(Array.from(sum));
  expect(Array.from(back.cnt)).toEqual(Array.from(cnt));
  expect(chunkValueAt(buf, 17)).toEqual({ sum: sum[17], cnt: cnt[17] });
});

test('a steady audience packs into a few bytes a day', () => {
  expect(encodeChunk(days((i) => 25_000 + i * 40), counts(() => 3)).length).toBeLessThan(1 + 3 + 31 + 1 + 2);
});

test('encodes from an offset into longer arrays', () => {
  const sum = Float64Array.from({ length: 96 }, (_, i) => i);
  const cnt = new Int32Array(96).fill(1);
  expect(Array.from(decodeChunk(encodeChunk(sum, cnt, 32)).sum)).toEqual(Array.from(sum.slice(32, 64)));
});

test('chunks in the first, fixed-width layout are still read', () => {
  const old = Buffer.alloc(1 + 32 * 4 + 4);
  old[0] = 2; // int32 sums, constant count
  for (let i = 0; i < 32; i++) old.writeInt32LE(100 + i, 1 + i * 4);
  old.writeInt32LE(3, 1 + 128);
  expect(chunkValueAt(old, 5)).toEqual({ sum: 105, cnt: 3 });
});

describe('chunkValueAt', () => {
  test('reads any one day of every layout exactly as decodeChunk does', () => {
    const rnd = (() => {
      let s = 7;
      return () => ((s = (s * 16807) % 2147483647) / 2147483647);
    })();
    for (let n = 0; n < 300; n++) {
      const sum = new Float64Array(32);
      const cnt = new Int32Array(32);
      let v = Math.floor(rnd() * 1e9);
      let c = Math.floor(rnd() * 5);
      for (let d = 0; d < 32; d++) {
        v = Math.max(0, v + Math.floor((rnd() - 0.5) * (n % 3 === 0 ? 1e7 : 50)));
        sum[d] = n % 5 === 0 ? v + 0.25 : v; // some chunks with float sums
        if (n % 2 && rnd() < 0.2) c = Math.floor(rnd() * 5); // some with changing counts
        cnt[d] = c;
      }
      const buf = encodeChunk(sum, cnt);
      const full = decodeChunk(buf);
      for (let d = 0; d < 32; d++) expect(chunkValueAt(buf, d)).toEqual({ sum: full.sum[d], cnt: full.cnt[d] });
    }
  });
});

describe('blocks (many orgs, one chunk)', () => {
  test('decodeBlock and any one day of blockDayInto give back what was encoded, whole-number and float sums', () => {
    const rnd = (() => {
      let s = 11;
      return () => ((s = (s * 16807) % 2147483647) / 2147483647);
    })();
    for (const [n, float] of [[0, false], [1, false], [300, false], [40, true]] as const) {
      const ids = Array.from({ length: n }, (_, k) => 5 + k * 3);
      const sum = new Float64Array(n * 32);
      const cnt = new Int32Array(n * 32);
      for (let k = 0; k < n; k++) {
        let v = Math.floor(rnd() * 1e9);
        for (let d = 0; d < 32; d++) {
          v = Math.max(0, v + Math.floor((rnd() - 0.6) * (k % 4 === 0 ? 1e7 : 40)));
          sum[k * 32 + d] = float && k === 3 ? v + 0.5 : v;
          cnt[k * 32 + d] = d > 20 && k % 5 === 0 ? 0 : 1 + (k % 3);
        }
      }
      const buf = encodeBlock({ ids, sum, cnt });
      expect(decodeBlock(buf)).toEqual({ ids, sum, cnt });
      for (const d of [0, 1, 17, 31]) {
        const got = new Float64Array(5 + n * 3).fill(-1);
        blockDayInto(buf, d, got);
        expect(ids.map((id) => got[id])).toEqual(ids.map((_, k) => (cnt[k * 32 + d] > 0 ? sum[k * 32 + d] : -1)));
      }
    }
  });
});
