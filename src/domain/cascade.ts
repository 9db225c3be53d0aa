// Splitting a whole number in proportion to weights so the parts add up to it exactly (largest remainder).

/**
 * Parts of `total` proportional to `weights` (whole numbers ≥ 0, not all 0): each part is the floor of its
 * exact share, and the units left over go one each to the largest remainders (ties: larger weight, then the
 * earlier position). Exact for any safe integers: the arithmetic is done in BigInt.
 */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`total must be a whole number ≥ 0, got ${total}`);
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new RangeError('weights must be whole numbers ≥ 0');
  const sum = weights.reduce((a, w) => a + BigInt(w), 0n);
  if (sum === 0n) throw new RangeError('at least one weight must be more than 0');
  const t = BigInt(total);
  const parts = weights.map((w) => (t * BigInt(w)) / sum);
  const rems = weights.map((w, i) => ({ i, w, r: (t * BigInt(w)) % sum }));
  let left = Number(t - parts.reduce((a, p) => a + p, 0n));
  rems.sort((a, b) => (a.r === b.r ? (a.w === b.w ? a.i - b.i : b.w - a.w) : a.r > b.r ? -1 : 1));
  for (const { i } of rems) {
    if (left-- <= 0) break;
    parts[i] += 1n;
  }
  return parts.map(Number);
}
