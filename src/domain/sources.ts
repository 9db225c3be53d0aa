// Where a snapshot's reading came from: the one definition of the `source` codes stored in `snapshots.source`
// and the names exports and pages show for them (DESIGN §9 `export snapshots`, column `source`).

/** The stored code of each source. Never renumber: the codes are in every database. */
export const SOURCE_CODES = { api: 0, backfill: 1, manual: 2, import: 3 } as const;
export type SnapshotSource = keyof typeof SOURCE_CODES;
/** The name of each stored code, by code. */
export const SOURCE_NAMES: readonly SnapshotSource[] = ['api', 'backfill', 'manual', 'import'];

/** The name of a stored code (undefined for a code no version has written). */
export function sourceName(code: number): SnapshotSource | undefined {
  return SOURCE_NAMES[code];
}
