// What must happen after snapshots change (collect, import, manual entry): the rollups are brought
// up to date from the earliest changed day. The growth engine registers itself here.
import type { Db } from '../../db';
import type { AppConfig } from '../config';

export type SnapshotsChanged = (db: Db, config: AppConfig, changedFrom: Map<number, number>) => void;

const listeners: SnapshotsChanged[] = [];

export function onSnapshotsChanged(fn: SnapshotsChanged): void {
  listeners.push(fn);
}

/** `changedFrom`: account id → earliest local day (epoch day) whose snapshot was written. */
export function afterSnapshotsChanged(db: Db, config: AppConfig, changedFrom: Map<number, number>): void {
  if (changedFrom.size === 0) return;
  for (const fn of listeners) fn(db, config, changedFrom);
}
