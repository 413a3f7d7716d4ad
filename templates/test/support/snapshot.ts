// Snapshot files for the template's tests: templates/test/__snapshots__/<name>. A
// missing or different snapshot fails; UPDATE_SNAPSHOTS=1 writes them instead (review
// the diff: it is the change in what the template emits).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as assert from 'uvu/assert';

export const SNAPSHOTS = path.join(import.meta.dirname, '..', '__snapshots__');
const updating = process.env.UPDATE_SNAPSHOTS === '1';

export async function matchSnapshot(name: string, actual: string): Promise<void> {
  const file = path.join(SNAPSHOTS, name);
  if (updating) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, actual);
    return;
  }
  const expected = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') assert.unreachable(`no snapshot ${path.relative(process.cwd(), file)} (run with UPDATE_SNAPSHOTS=1 to write it)`);
    throw err;
  });
  assert.fixture(actual, expected, `${name} differs from its snapshot (UPDATE_SNAPSHOTS=1 rewrites it after an intended change)`);
}
