// Money fits its columns: every amount column is integer (int4), so both contracts cap
// every amount at 2147483647 minor units, and an event carrying more is refused by its
// generated validator (never published, never stored) naming the field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { examples, messages } from '../generated/registry.ts';

const ROOT = path.join(import.meta.dirname, '..');
const INT4_MAX = 2_147_483_647;

type Obj = Record<string, any>;

/** Every schema object under `node` that has an `amount` property, with where it is. */
function amountSchemas(node: unknown, at: string, found: { at: string; schema: Obj }[] = []): { at: string; schema: Obj }[] {
  if (Array.isArray(node)) node.forEach((n, i) => amountSchemas(n, `${at}/${i}`, found));
  else if (node && typeof node === 'object') {
    const obj = node as Obj;
    if (obj.properties && typeof obj.properties === 'object' && 'amount' in obj.properties) found.push({ at, schema: obj.properties.amount });
    for (const [k, v] of Object.entries(obj)) amountSchemas(v, `${at}/${k}`, found);
  }
  return found;
}

for (const file of ['asyncapi.yaml', 'openapi.yaml']) {
  test(`${file}: every amount is an integer of at most ${INT4_MAX} minor units (the amount columns are int4)`, () => {
    const found = amountSchemas(parse(readFileSync(path.join(ROOT, file), 'utf8')), '#');
    assert.ok(found.length > 0, `${file} declares amounts`);
    for (const { at, schema } of found) {
      // an `amount` that is a Money object: checked where Money is declared
      if (schema.$ref === '#/components/schemas/Money') continue;
      assert.is(schema.type, 'integer', `${at}/amount`);
      assert.is(schema.minimum, 0, `${at}/amount`);
      assert.is(schema.maximum, INT4_MAX, `${at}/amount`);
    }
  });
}

test('every amount column of the migrations is integer: the contract maximum is what fits them', () => {
  const dir = path.join(ROOT, 'migrations');
  const ddl = readdirSync(dir).filter((f) => f.startsWith('Migration')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
  const columns = [...ddl.matchAll(/^\s*(\w*(?:amount|price|total)\w*)\s+(\w+)/gm)].map((m) => [m[1], m[2].toLowerCase()]);
  assert.ok(columns.length >= 5, `amount columns found: ${JSON.stringify(columns)}`);
  for (const [name, type] of columns) assert.is(type, 'integer', `${name} is ${type}: widen the contract maximum only with the column`);
});

test('an event with an amount above the maximum is refused by its validator, naming the field', () => {
  const example = structuredClone(examples.OrderPersisted[0].payload) as Obj;
  assert.ok(messages.OrderPersisted.validate(example), 'the example is valid');
  example.total.amount = INT4_MAX;
  assert.ok(messages.OrderPersisted.validate(example), 'the maximum itself fits');
  example.total.amount = INT4_MAX + 1;
  assert.not.ok(messages.OrderPersisted.validate(example));
  const errors = messages.OrderPersisted.validate.errors ?? [];
  assert.ok(errors.some((e) => e.instancePath === '/total/amount' && e.keyword === 'maximum'), JSON.stringify(errors));
});

test.run();
