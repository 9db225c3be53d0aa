// Runs the real CLI (`node bin/audience-growth.js …`) as a user would, in a child process.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const EXAMPLE = path.join(ROOT, 'examples/union.yaml');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string): CliResult {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/audience-growth.js'), ...args], {
    cwd: env.CWD ?? ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'ag-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
