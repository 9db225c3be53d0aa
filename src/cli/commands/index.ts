// The CLI's commands, one module each, registered in this order (the order `--help` lists them).
import type { Command } from 'commander';
import type { CliContext } from '../context';
import * as importCmd from './import';
import * as importAudience from './import-audience';
import * as exportCmd from './export';
import * as backup from './backup';
import * as compute from './compute';
import * as collect from './collect';
import * as emulator from './emulator';
import * as user from './user';
import * as token from './token';
import * as serve from './serve';
import * as summary from './summary';
import * as doctor from './doctor';
import * as demo from './demo';

export type Register = (program: Command, ctx: CliContext) => void;

export const commands: Register[] = [importCmd.register, importAudience.register, exportCmd.register, compute.register, backup.register, collect.register, emulator.register, user.register, token.register, summary.register, doctor.register, serve.register, demo.register];
