// The shared request field schemas: what a form or a query may hold, and how a refusal names its field.
import { z } from 'zod';
import * as F from '../../web/fields';
import { HttpError, Q, query } from '../../web/params';
import type { Request } from 'express';

const form = { slug: F.slug(), name: F.text({ required: true }), members: F.int({ max: 100 }), date: F.date({ required: false }), on: F.flag() };
const parse = (input: Record<string, unknown>) => F.parseFields(z.object(form), input);
const refusal = (input: Record<string, unknown>) => {
  try {
    parse(input);
  } catch (err) {
    if (err instanceof F.FieldError) return { field: err.field, message: err.why.message, key: err.why.key, vars: err.why.vars };
    throw err;
  }
  throw new Error('accepted');
};

test('a good form comes out typed: trimmed NFC text, numbers, blanks as undefined', () => {
  expect(parse({ slug: 'ekibastuz', name: '  И\u0306кибастуз ', members: ' 12 ', date: '', on: 'on' })).toEqual({ slug: 'ekibastuz', name: 'Йкибастуз', members: 12, date: undefined, on: true });
});

test('the first bad field is refused by name, with its English message and the key a page translates', () => {
  expect(refusal({ slug: 'Bad Slug', name: '' })).toEqual({ field: 'slug', message: 'must be a slug: lowercase letters a-z, digits and - (up to 63)', key: 'slug', vars: undefined });
  expect(refusal({ slug: 'ok', name: '' })).toMatchObject({ field: 'name', message: 'is required', key: 'required' });
  expect(refusal({ slug: 'ok', name: 'a\u202eb' })).toMatchObject({ field: 'name', key: 'odd_characters' });
  expect(refusal({ slug: 'ok', name: 'x', members: '101' })).toEqual({ field: 'members', message: 'must be from 0 to 100', key: 'between', vars: { min: 0, max: 100 } });
  expect(refusal({ slug: 'ok', name: 'x', date: '2026-02-30' })).toMatchObject({ field: 'date', message: 'must be a real date as YYYY-MM-DD' });
  expect(refusal({ slug: ['a', 'b'], name: 'x' })).toMatchObject({ field: 'slug', message: 'must be given once, as plain text', key: 'once' });
  expect(refusal({ slug: 'ok', name: 'x', on: 'yes' })).toMatchObject({ field: 'on', key: 'flag' });
});

test('a query parsed whole: defaults, and a bad parameter is a 400 that names it', () => {
  const req = (q: Record<string, unknown>) => ({ query: q }) as unknown as Request;
  expect(query(req({ page: '2', status: 'behind,at_risk' }), { platform: Q.platform, page: Q.page, status: Q.statuses })).toEqual({ platform: 'social', page: 2, status: ['behind', 'at_risk'] });
  const bad = (q: Record<string, unknown>) => {
    try {
      query(req(q), { org: Q.org, from: Q.date, per_page: Q.perPage({ max: 1000 }) });
    } catch (err) {
      return err instanceof HttpError ? [err.status, err.message] : err;
    }
    return 'accepted';
  };
  expect(bad({ org: 'Almaty!' })).toEqual([400, 'org: must be an organisation slug (a-z, 0-9, -), got "Almaty!"']);
  expect(bad({ from: ['2026-01-01', '2026-01-02'] })).toEqual([400, 'from: must be given once, as plain text']);
  expect(bad({ per_page: '5000' })).toEqual([400, 'per_page: must be a whole number from 1 to 1000, got "5000"']);
});
