// `import <file.yaml|file.csv>`: organisations, accounts and targets, upserted; never deletes history.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { importTree, readTreeFile } from '../../import';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import organisations, accounts and targets from YAML, or organisations/accounts from CSV (upsert; never deletes)')
    .argument('<file>', 'a .yaml/.yml file as in the config layout, or a .csv of organisations (slug,parent,level,name_ru,…) or accounts (org,platform,id,…)')
    .action((file: string) => {
      const input = readTreeFile(file);
      const s = importTree(ctx.db(), input, 'import', ctx.services());
      const t = s.targets ? `; targets: ${s.targets.created} new, ${s.targets.versioned} revised, ${s.targets.unchanged} unchanged` : '';
      const st = s.standards ? `; standards: ${s.standards.created} new, ${s.standards.versioned} revised, ${s.standards.unchanged} unchanged` : '';
      process.stdout.write(
        `${input.label}: organisations ${s.orgsCreated} new, ${s.orgsUpdated} changed, ${input.orgs.length - s.orgsCreated - s.orgsUpdated} unchanged; ` +
          `accounts ${s.accountsCreated} new, ${s.accountsUpdated} changed, ${input.accounts.length - s.accountsCreated - s.accountsUpdated} unchanged${t}${st}\n`,
      );
    });
}
