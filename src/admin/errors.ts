// A refusal of one input field that a page can show in its reader's language: the English message (logs,
// the API, the CLI) plus the key (`invalid.<key>` in web/i18n) and the values it is filled with.
import { InputError } from '../config';

export type Vars = Record<string, string | number>;

export class Refusal extends InputError {
  constructor(
    field: string,
    message: string,
    readonly key: string,
    readonly vars?: Vars,
  ) {
    super(message, undefined, undefined, field);
    this.name = 'Refusal';
  }
}
