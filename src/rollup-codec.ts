// Binary form of one 32-day rollup chunk: a flag byte, 32 sums (int32, or float64 when any sum is not a
// small whole number), then the tracked-account counts (one int32 when constant over the chunk, else 32).
import { CHUNK_DAYS } from './domain/rollup';

const FLOAT_SUMS = 1;
const CONSTANT_COUNT = 2;

export interface Chunk {
  sum: Float64Array;
  cnt: Int32Array;
}

/** Encodes days [offset, offset + 32) of the arrays. */
export function encodeChunk(sum: Float64Array, cnt: Int32Array, offset = 0): Buffer {
  let ints = true;
  let constant = true;
  for (let i = 0; i < CHUNK_DAYS; i++) {
    const s = sum[offset + i];
    if (ints && (!Number.isInteger(s) || s > 2_147_483_647 || s < -2_147_483_648)) ints = false;
    if (cnt[offset + i] !== cnt[offset]) constant = false;
  }
  const sumBytes = ints ? 4 : 8;
  const buf = Buffer.allocUnsafe(1 + CHUNK_DAYS * sumBytes + (constant ? 4 : CHUNK_DAYS * 4));
  buf[0] = (ints ? 0 : FLOAT_SUMS) | (constant ? CONSTANT_COUNT : 0);
  let p = 1;
  for (let i = 0; i < CHUNK_DAYS; i++) {
    if (ints) buf.writeInt32LE(sum[offset + i], p);
    else buf.writeDoubleLE(sum[offset + i], p);
    p += sumBytes;
  }
  if (constant) buf.writeInt32LE(cnt[offset], p);
  else for (let i = 0; i < CHUNK_DAYS; i++, p += 4) buf.writeInt32LE(cnt[offset + i], p);
  return buf;
}

/** Decodes a chunk into the arrays at `offset` (or into new arrays). */
export function decodeChunk(buf: Buffer, into?: Chunk, offset = 0): Chunk {
  const out = into ?? { sum: new Float64Array(CHUNK_DAYS), cnt: new Int32Array(CHUNK_DAYS) };
  const ints = (buf[0] & FLOAT_SUMS) === 0;
  const constant = (buf[0] & CONSTANT_COUNT) !== 0;
  let p = 1;
  for (let i = 0; i < CHUNK_DAYS; i++) {
    out.sum[offset + i] = ints ? buf.readInt32LE(p) : buf.readDoubleLE(p);
    p += ints ? 4 : 8;
  }
  if (constant) out.cnt.fill(buf.readInt32LE(p), offset, offset + CHUNK_DAYS);
  else for (let i = 0; i < CHUNK_DAYS; i++, p += 4) out.cnt[offset + i] = buf.readInt32LE(p);
  return out;
}

/** The sum and count of one day (0–31) of an encoded chunk, without decoding the rest. */
export function chunkValueAt(buf: Buffer, i: number): { sum: number; cnt: number } {
  const ints = (buf[0] & FLOAT_SUMS) === 0;
  const sumBytes = ints ? 4 : 8;
  const sum = ints ? buf.readInt32LE(1 + i * 4) : buf.readDoubleLE(1 + i * 8);
  const countsAt = 1 + CHUNK_DAYS * sumBytes;
  const cnt = (buf[0] & CONSTANT_COUNT) !== 0 ? buf.readInt32LE(countsAt) : buf.readInt32LE(countsAt + i * 4);
  return { sum, cnt };
}
