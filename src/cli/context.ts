// What every CLI command gets: the config, the database and the services built on them (src/services.ts),
// each made on first use.
import { openDatabase, type Db } from '../../db';
import { loadConfig, type AppConfig } from '../config';
import { createServices, type Services } from '../services';

export interface CliContext {
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
    db: () => (db ??= openDatabase(ctx.config().env.databasePath)),
    services: () => (services ??= createServices(ctx.db(), ctx.config())),
    close: () => {
      db?.close();
      db = undefined;
      services = undefined;
    },
  };
  return ctx;
}
