// The wiring, in one place: what the CLI commands, the web app (createApp), the bot and the scheduler are
// given. No module registers itself on import; each gets these values passed in.
//
//   db, config           the SQLite file and the validated configuration
//   exporters            the export kinds of DESIGN §9 (snapshots; the growth engine's audience, growth, targets)
//                        and §11 (information work: publications, rubrics)
//   onSnapshotsChanged   the compute hook every writer of snapshots calls (the rollups catch up)
//   importTargets        how `import` brings in a file's `targets:` (the growth engine's versioned targets)
//   integrity            the last `PRAGMA quick_check` (the scheduler runs it, /healthz reports it)
//
// The growth engine's reads (src/growth/*) are plain functions of the database and are imported directly.
import type { Db } from '../db';
import { IntegrityWatch } from '../db/integrity';
import type { AppConfig } from './config';
import { exportSnapshots, type Exporters } from './exports';
import { exportPosts } from './posts/exports';
import { exportAudience, exportGrowth, exportTargets } from './growth/exports';
import { importTargets } from './growth/targets';
import type { TargetImporter, TreeImportDeps } from './import';
import { computeRollups } from './jobs/compute';
import { exportPublications, exportRubrics } from './publications/engine';
import type { SnapshotsChanged } from './jobs/hooks';

export interface Services extends TreeImportDeps {
  db: Db;
  /** The last `PRAGMA quick_check` of this process (run by the scheduler; /healthz reports it). */
  integrity: IntegrityWatch;
  config: AppConfig;
  exporters: Exporters;
  onSnapshotsChanged: SnapshotsChanged;
  importTargets: TargetImporter;
}

/** The compute hook: after snapshots change, the rollups are brought up to date (nothing to do when none did). */
export const updateRollups: SnapshotsChanged = (db, _config, changedFrom) => {
  if (changedFrom.size > 0) computeRollups(db);
};

/** `targets:` of an import file, as versions with frozen baselines. */
export const targetImporter: TargetImporter = (db, targets, ctx) => importTargets(db, targets, { actor: ctx.actor, label: ctx.label });

/** Every export kind, in the order help and errors list them. */
export function createExporters(): Exporters {
  return new Map([
    ['snapshots', exportSnapshots],
    ['audience', exportAudience],
    ['growth', exportGrowth],
    ['targets', exportTargets],
    ['posts', exportPosts],
    ['publications', exportPublications],
    ['rubrics', exportRubrics],
  ]);
}

export function createServices(db: Db, config: AppConfig): Services {
  return { db, config, exporters: createExporters(), onSnapshotsChanged: updateRollups, importTargets: targetImporter, integrity: new IntegrityWatch() };
}
