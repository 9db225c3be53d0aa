// Where a snapshot came from. The code is what the `snapshots.source` column stores; the name is what
// exports and pages show. The one definition: the writer (db/snapshots.ts), exports and pages use it.
export const SOURCE_CODES = { api: 0, backfill: 1, manual: 2, import: 3 } as const;
export type SnapshotSource = keyof typeof SOURCE_CODES;
/** Code → name (index by the stored code). */
export const SOURCE_NAMES: SnapshotSource[] = ['api', 'backfill', 'manual', 'import'];
