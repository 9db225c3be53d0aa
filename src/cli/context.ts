// What every CLI command gets: the config, the database and the services built on them (src/services.ts),
// each made on first use.
import { openDatabase, type Db } from '../../db';
import { loadConfig, type AppConfig } from '../config';
import { createServices, type Services } from '../services';

/** The commands that may make a new database file; every other one refuses a missing file. */
export const CREATING_COMMANDS = new Set(['import', 'demo', 'serve']);

export interface CliContext {
  /** The command being run (set by main before its action), for the missing-file rule. */
  command?: string;
  config(): AppConfig;
  db(): Db;
  services(): Services;
  /** Closes what was opened; main calls it when a command finishes. */
  close(): void;
}

export function createCliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  let config: AppConfig | undefined;
  let db: Db | undefined;
  let services: Services | undefined;
  const ctx: CliContext = {
    config: () => (config ??= loadConfig({ env })),
    db: () =>
      (db ??= openDatabase(ctx.config().env.databasePath, {
        mustExist: ctx.command !== undefined && !CREATING_COMMANDS.has(ctx.command),
        busyTimeoutMs: ctx.config().env.databaseBusyTimeoutMs,
      })),
    services: () => (services ??= createServices(ctx.db(), ctx.config())),
    close: () => {
      db?.close();
      db = undefined;
      services = undefined;
    },
  };
  return ctx;
}
