// Binary form of one 32-day chunk of post figures (db/migrations/0009_posts.sql): a 32-bit little-endian mask
// of the days that have counted posts, then for each such day FIELDS unsigned varints. Days without posts
// take no bytes, so an account that posts once a week costs a few bytes a chunk.
import { CHUNK_DAYS } from '../domain/rollup';

/** The figures of one day, in storage order. */
export const FIGURE_FIELDS = ['posts', 'interactions', 'views', 'er_interactions', 'er_audience', 'vr_views', 'vr_audience'] as const;
export type FigureField = (typeof FIGURE_FIELDS)[number];
export const FIELDS = FIGURE_FIELDS.length;
const DAYS: number = CHUNK_DAYS;
/** Values of one chunk: day i, field f at [i * FIELDS + f]. */
export const CHUNK_VALUES = DAYS * FIELDS;

const scratch = Buffer.alloc(4 + CHUNK_VALUES * 10);

function putVarint(buf: Buffer, p: number, value: number): number {
  if (!(value >= 0) || !Number.isSafeInteger(value)) throw new RangeError(`post figure ${value} is not a whole number ≥ 0`);
  let z = value;
  while (z >= 128) {
    buf[p++] = (z % 128) | 128;
    z = Math.floor(z / 128);
  }
  buf[p++] = z;
  return p;
}

/** Encodes values [offset, offset + CHUNK_VALUES); null when the chunk has no posts (no row is kept). */
export function encodeFigures(values: Float64Array, offset = 0): Buffer | null {
  let mask = 0;
  let p = 4;
  for (let d = 0; d < DAYS; d++) {
    const base = offset + d * FIELDS;
    if (values[base] === 0) {
      for (let f = 1; f < FIELDS; f++) if (values[base + f] !== 0) throw new RangeError(`post figures of a day without posts are not zero (field ${FIGURE_FIELDS[f]})`);
      continue;
    }
    mask |= 1 << d;
    for (let f = 0; f < FIELDS; f++) p = putVarint(scratch, p, values[base + f]);
  }
  if (mask === 0) return null;
  scratch.writeUInt32LE(mask >>> 0, 0);
  return Buffer.from(scratch.subarray(0, p));
}

/** Decodes a chunk into `into` at `offset` (days without posts are set to zero). */
export function decodeFigures(buf: Buffer, into: Float64Array = new Float64Array(CHUNK_VALUES), offset = 0): Float64Array {
  const mask = buf.readUInt32LE(0);
  let p = 4;
  for (let d = 0; d < DAYS; d++) {
    const base = offset + d * FIELDS;
    if (!(mask & (1 << d))) {
      into.fill(0, base, base + FIELDS);
      continue;
    }
    for (let f = 0; f < FIELDS; f++) {
      let z = 0;
      let mul = 1;
      for (;;) {
        const b = buf[p++];
        z += (b & 127) * mul;
        if (b < 128) break;
        mul *= 128;
      }
      into[base + f] = z;
    }
  }
  return into;
}

/** Bit mask of the days of a chunk that have posts, without decoding the figures. */
export function daysWithPosts(buf: Buffer): number {
  return buf.readUInt32LE(0);
}
