// What every CLI command gets: the config and the database, each loaded on first use.
import { openDatabase, type Db } from '../../db';
import { loadConfig, type AppConfig } from '../config';

export interface CliContext {
  config(): AppConfig;
  db(): Db;
  /** Closes what was opened; main calls it when a command finishes. */
  close(): void;
}

export function createCliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  let config: AppConfig | undefined;
  let db: Db | undefined;
  const ctx: CliContext = {
    config: () => (config ??= loadConfig({ env })),
    db: () => (db ??= openDatabase(ctx.config().env.databasePath)),
    close: () => {
      db?.close();
      db = undefined;
    },
  };
  return ctx;
}
