// Largest-remainder split of a target among child organisations: the parts always add up to the whole.
import fc from 'fast-check';
import { largestRemainder } from '../../src/domain/cascade';

describe('largestRemainder', () => {
  test.each([
    [10, [1, 1, 1], [4, 3, 3]],
    [100, [1, 1, 1], [34, 33, 33]],
    [1_000_003, [7, 5, 5], [411_766, 294_119, 294_118]],
    [5, [0, 3, 0], [0, 5, 0]],
    [0, [2, 3], [0, 0]],
    [7, [1, 2, 4], [1, 2, 4]],
    [2, [1, 1, 1], [1, 1, 0]],
  ])('%d split by %j is %j', (total, weights, parts) => {
    expect(largestRemainder(total, weights)).toEqual(parts);
  });

  test('the parts add up to the total exactly and each is within 1 of its exact share, for any weights', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 60 }), (total, weights) => {
        fc.pre(weights.some((w) => w > 0));
        const parts = largestRemainder(total, weights);
        const sum = parts.reduce((a, b) => a + BigInt(b), 0n);
        expect(sum).toBe(BigInt(total));
        const W = weights.reduce((a, w) => a + BigInt(w), 0n);
        parts.forEach((p, i) => {
          const floor = (BigInt(total) * BigInt(weights[i])) / W;
          expect(BigInt(p) === floor || BigInt(p) === floor + 1n).toBe(true);
          if (weights[i] === 0) expect(p).toBe(0);
        });
      }),
      { numRuns: 500 },
    );
  });

  test('refuses weights that are all zero, negative or fractional', () => {
    expect(() => largestRemainder(10, [0, 0])).toThrow(RangeError);
    expect(() => largestRemainder(10, [1, -1])).toThrow(RangeError);
    expect(() => largestRemainder(10, [1.5])).toThrow(RangeError);
    expect(() => largestRemainder(-1, [1])).toThrow(RangeError);
  });
});
