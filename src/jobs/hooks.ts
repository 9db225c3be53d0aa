// What must happen after snapshots change (collect, import, manual entry): the type of the hook every writer
// of snapshots is given. services.ts supplies the one implementation (the rollups are brought up to date from
// the earliest changed day); this module keeps no state.
import type { Db } from '../../db';
import type { AppConfig } from '../config';

/** `changedFrom`: account id → earliest local day (epoch day) whose snapshot was written. */
export type SnapshotsChanged = (db: Db, config: AppConfig, changedFrom: Map<number, number>) => void;

