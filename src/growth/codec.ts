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

// ---- Blocks: one chunk of many orgs' series, laid out day by day ----
// rollup_blocks holds, per group × chunk × block of BLOCK_ORGS org ids, the same values as those orgs'
// rollup_series chunks, so that "every org on one day" (growth rows of the whole tree, rankings of 50,000
// primaries) reads a few dozen rows and decodes two days of each, instead of one row per org.
// Layout: flag byte; varint n; n varint org id gaps; a bitmap of the orgs whose count varies in the chunk;
// 31 uint32 offsets of days 1–31; day 0 as n (sum, count) pairs; then each day d as n (sum_d − sum_0, and
// count_d − count_0 for the orgs whose count varies). Sums are zig-zag varints, or float64 (absolute on every
// day) when any is not a whole number.

/** Org ids per block: block = floor(org_id / BLOCK_ORGS). */
export const BLOCK_ORGS = 1024;
export const blockOf = (orgId: number): number => Math.floor(orgId / BLOCK_ORGS);

/** A decoded block: org ids ascending, and their chunks org-major (org k, day d at k × 32 + d). */
export interface Block {
  ids: number[];
  sum: Float64Array;
  cnt: Int32Array;
}

let blockScratch = Buffer.alloc(0);

/** Encodes a block; `ids` ascending. */
export function encodeBlock(b: Block): Buffer {
  const n = b.ids.length;
  const need = 1 + 10 + n * 10 + n + 31 * 4 + n * DAYS * 20;
  if (blockScratch.length < need) blockScratch = Buffer.alloc(need);
  const buf = blockScratch;
  let ints = true;
  for (let i = 0; i < n * DAYS && ints; i++) if (!Number.isSafeInteger(b.sum[i])) ints = false;
  buf[0] = ints ? 0 : FLOAT_SUMS;
  let p = putVarint(buf, 1, n);
  let prev = 0;
  for (const id of b.ids) {
    p = putVarint(buf, p, id - prev);
    prev = id;
  }
  const varies = new Uint8Array(n);
  const bits = (n + 7) >> 3;
  buf.fill(0, p, p + bits);
  for (let k = 0; k < n; k++) {
    for (let d = 1; d < DAYS && !varies[k]; d++) if (b.cnt[k * DAYS + d] !== b.cnt[k * DAYS]) varies[k] = 1;
    if (varies[k]) buf[p + (k >> 3)] |= 1 << (k & 7);
  }
  p += bits;
  const table = p;
  p += 31 * 4;
  for (let d = 0; d < DAYS; d++) {
    if (d > 0) buf.writeUInt32LE(p, table + (d - 1) * 4);
    for (let k = 0; k < n; k++) {
      const s = b.sum[k * DAYS + d];
      const s0 = b.sum[k * DAYS];
      if (!ints) p = buf.writeDoubleLE(s, p);
      else p = putVarint(buf, p, d === 0 ? s : s - s0);
      if (d === 0) p = putVarint(buf, p, b.cnt[k * DAYS]);
      else if (varies[k]) p = putVarint(buf, p, b.cnt[k * DAYS + d] - b.cnt[k * DAYS]);
    }
  }
  return Buffer.from(buf.subarray(0, p));
}

function blockHeader(buf: Buffer): { ints: boolean; ids: number[]; varies: number; day0: number } {
  const ints = (buf[0] & FLOAT_SUMS) === 0;
  readPos = 1;
  const n = getVarint(buf);
  const ids = new Array<number>(n);
  let id = 0;
  for (let k = 0; k < n; k++) ids[k] = id += getVarint(buf);
  // `varies`: where the bitmap starts (bit k set: org k's count changes within the chunk)
  return { ints, ids, varies: readPos, day0: readPos + ((n + 7) >> 3) + 31 * 4 };
}

/** The org ids a block holds. */
export function blockIds(buf: Buffer): number[] {
  return blockHeader(buf).ids;
}

/** Every value of a block. */
export function decodeBlock(buf: Buffer): Block {
  const { ints, ids, varies, day0 } = blockHeader(buf);
  const n = ids.length;
  const sum = new Float64Array(n * DAYS);
  const cnt = new Int32Array(n * DAYS);
  readPos = day0;
  for (let d = 0; d < DAYS; d++) {
    for (let k = 0; k < n; k++) {
      const s = ints ? getVarint(buf) : buf.readDoubleLE((readPos += 8) - 8);
      const c = d === 0 || buf[varies + (k >> 3)] & (1 << (k & 7)) ? getVarint(buf) : 0;
      sum[k * DAYS + d] = d === 0 || !ints ? s : sum[k * DAYS] + s;
      cnt[k * DAYS + d] = d === 0 ? c : cnt[k * DAYS] + c;
    }
  }
  return { ids, sum, cnt };
}

/** Day `i` (0–31) of a block into `out` indexed by org id, for the orgs tracked that day (count > 0). */
export function blockDayInto(buf: Buffer, i: number, out: Float64Array): void {
  const { ints, ids, varies, day0 } = blockHeader(buf);
  const n = ids.length;
  readPos = day0;
  if (i === 0) {
    for (let k = 0; k < n; k++) {
      const s = ints ? getVarint(buf) : buf.readDoubleLE((readPos += 8) - 8);
      if (getVarint(buf) > 0) out[ids[k]] = s;
    }
    return;
  }
  const s0 = new Float64Array(n);
  const c0 = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    s0[k] = ints ? getVarint(buf) : buf.readDoubleLE((readPos += 8) - 8);
    c0[k] = getVarint(buf);
  }
  readPos = buf.readUInt32LE(day0 - 31 * 4 + (i - 1) * 4);
  for (let k = 0; k < n; k++) {
    const s = ints ? s0[k] + getVarint(buf) : buf.readDoubleLE((readPos += 8) - 8);
    if (c0[k] + (buf[varies + (k >> 3)] & (1 << (k & 7)) ? getVarint(buf) : 0) > 0) out[ids[k]] = s;
  }
}

// ---- An account's last readings (rollup_accounts.recent): the suspicious-growth history a day's collect
// continues from without reading snapshots again. Varint count, then (day gap, audience change) pairs;
// null (not kept) when an audience is not a whole number.

/** An account's readings in day order as two arrays: days and audiences (no object per reading). */
export interface Readings {
  days: number[];
  auds: number[];
}

/** Encodes readings [from, to) of the arrays. */
export function encodeReadings(days: ArrayLike<number>, auds: ArrayLike<number>, from = 0, to = days.length): Buffer | null {
  for (let i = from; i < to; i++) if (!Number.isSafeInteger(auds[i])) return null;
  const buf = Buffer.allocUnsafe(10 + (to - from) * 20);
  let p = putVarint(buf, 0, to - from);
  let day = 0;
  let aud = 0;
  for (let i = from; i < to; i++) {
    p = putVarint(buf, p, days[i] - day);
    p = putVarint(buf, p, auds[i] - aud);
    day = days[i];
    aud = auds[i];
  }
  return buf.subarray(0, p);
}

export function decodeReadings(buf: Buffer): Readings {
  readPos = 0;
  const n = getVarint(buf);
  const days = new Array<number>(n);
  const auds = new Array<number>(n);
  let day = 0;
  let audience = 0;
  for (let k = 0; k < n; k++) {
    days[k] = day += getVarint(buf);
    auds[k] = audience += getVarint(buf);
  }
  return { days, auds };
}
