// Binary form of one 32-day rollup chunk. A flag byte, then either
//  - (usual) whole-number sums as zig-zag varints of the first value and the day-to-day changes, which are
//    small for audiences, so most days take one or two bytes; or
//  - float64 sums when any sum is not a whole number;
// then the tracked-account counts: one varint when constant over the chunk, else 32 zig-zag varint changes.
// The fixed-width layout of the first version (no VARINT flag) is still read.
import { CHUNK_DAYS } from '../domain/rollup';

/** CHUNK_DAYS as a local constant: an imported binding read in a loop is a getter call under the CommonJS transform. */
const DAYS: number = CHUNK_DAYS;

const FLOAT_SUMS = 1;
const CONSTANT_COUNT = 2;
const VARINT = 4;

export interface Chunk {
  sum: Float64Array;
  cnt: Int32Array;
}

const scratch = Buffer.alloc(1 + DAYS * 10 + DAYS * 10);

// Arithmetic, not bitwise: sums may exceed 32 bits.
function putVarint(buf: Buffer, p: number, value: number): number {
  let z = value >= 0 ? value * 2 : -value * 2 - 1;
  while (z >= 128) {
    buf[p++] = (z % 128) | 128;
    z = Math.floor(z / 128);
  }
  buf[p++] = z;
  return p;
}

let readPos = 0;
function getVarint(buf: Buffer): number {
  let z = 0;
  let mul = 1;
  for (;;) {
    const b = buf[readPos++];
    z += (b & 127) * mul;
    if (b < 128) break;
    mul *= 128;
  }
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Encodes days [offset, offset + 32) of the arrays. */
export function encodeChunk(sum: Float64Array, cnt: Int32Array, offset = 0): Buffer {
  let ints = true;
  let constant = true;
  for (let i = 0; i < DAYS; i++) {
    if (ints && !Number.isSafeInteger(sum[offset + i])) ints = false;
    if (cnt[offset + i] !== cnt[offset]) constant = false;
  }
  scratch[0] = VARINT | (ints ? 0 : FLOAT_SUMS) | (constant ? CONSTANT_COUNT : 0);
  let p = 1;
  let prev = 0;
  for (let i = 0; i < DAYS; i++) {
    const s = sum[offset + i];
    if (ints) {
      p = putVarint(scratch, p, s - prev);
      prev = s;
    } else p = scratch.writeDoubleLE(s, p);
  }
  if (constant) p = putVarint(scratch, p, cnt[offset]);
  else {
    prev = 0;
    for (let i = 0; i < DAYS; i++) {
      p = putVarint(scratch, p, cnt[offset + i] - prev);
      prev = cnt[offset + i];
    }
  }
  return Buffer.from(scratch.subarray(0, p));
}

/** Decodes a chunk into the arrays at `offset` (or into new arrays). */
export function decodeChunk(buf: Buffer, into?: Chunk, offset = 0): Chunk {
  const out = into ?? { sum: new Float64Array(DAYS), cnt: new Int32Array(DAYS) };
  const flags = buf[0];
  if (!(flags & VARINT)) return decodeFixed(buf, out, offset);
  let v = 0;
  if (flags & FLOAT_SUMS) {
    for (let i = 0; i < DAYS; i++) out.sum[offset + i] = buf.readDoubleLE(1 + i * 8);
    readPos = 1 + DAYS * 8;
  } else {
    readPos = 1;
    for (let i = 0; i < DAYS; i++) out.sum[offset + i] = v += getVarint(buf);
  }
  if (flags & CONSTANT_COUNT) out.cnt.fill(getVarint(buf), offset, offset + DAYS);
  else {
    v = 0;
    for (let i = 0; i < DAYS; i++) out.cnt[offset + i] = v += getVarint(buf);
  }
  return out;
}

/** The first layout (no VARINT flag): int32 or float64 sums, int32 counts. Still read, never written. */
function decodeFixed(buf: Buffer, out: Chunk, offset: number): Chunk {
  const ints = (buf[0] & FLOAT_SUMS) === 0;
  let p = 1;
  for (let i = 0; i < DAYS; i++) {
    out.sum[offset + i] = ints ? buf.readInt32LE(p) : buf.readDoubleLE(p);
    p += ints ? 4 : 8;
  }
  if (buf[0] & CONSTANT_COUNT) out.cnt.fill(buf.readInt32LE(p), offset, offset + DAYS);
  else for (let i = 0; i < DAYS; i++, p += 4) out.cnt[offset + i] = buf.readInt32LE(p);
  return out;
}

const one: Chunk = { sum: new Float64Array(DAYS), cnt: new Int32Array(DAYS) };

/**
 * The sum and count of one day (0–31) of an encoded chunk. Reads only what it needs: the sums up to that day,
 * skips the rest byte by byte, then the counts up to that day (ranking 5,000 orgs reads 5,000 chunks per day).
 */
export function chunkValueAt(buf: Buffer, i: number): { sum: number; cnt: number } {
  const flags = buf[0];
  if (!(flags & VARINT)) {
    decodeFixed(buf, one, 0);
    return { sum: one.sum[i], cnt: one.cnt[i] };
  }
  const days = DAYS;
  let sum: number;
  if (flags & FLOAT_SUMS) {
    sum = buf.readDoubleLE(1 + i * 8);
    readPos = 1 + days * 8;
  } else {
    readPos = 1;
    sum = 0;
    for (let k = 0; k <= i; k++) sum += getVarint(buf);
    // skip the other days' sums: a varint ends at its first byte below 128
    for (let k = i + 1; k < days; k++) while (buf[readPos++] >= 128);
  }
  let cnt: number;
  if (flags & CONSTANT_COUNT) cnt = getVarint(buf);
  else {
    cnt = 0;
    for (let k = 0; k <= i; k++) cnt += getVarint(buf);
  }
  return { sum, cnt };
}
