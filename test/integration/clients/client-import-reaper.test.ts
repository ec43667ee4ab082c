// The reaper's two sweeps run on their own: dead imports (a stale heartbeat) are failed unless they run in this
// process, and at start the uploads no import waits for are removed, but not one still arriving.
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { IMPORT_INTERRUPTED } from '../../../src/clients/client-import-progress.js';
import { reapStaleImports, removeOrphanUploads } from '../../../src/clients/client-import-reaper.js';
import { ClientImport } from '../../../src/db/models/index.js';
import { makeUser } from '../../support/factories.js';
import { scratchFolder } from '../../support/hooks.js';

const HOUR_MS = 3_600_000;

function fileIn(folder: string, name: string, ageMs: number): string {
  const file = path.join(folder, name);
  writeFileSync(file, 'email\na@example.test\n');
  const at = new Date(Date.now() - ageMs);
  utimesSync(file, at, at);
  return file;
}

describe('client import reaper', () => {
  it('when an import is not over and its heartbeat is stale, then it is failed as interrupted and its file removed; a fresh one stays', async () => {
    const owner = await makeUser();
    const folder = scratchFolder('reaper');
    const deadFile = fileIn(folder, 'dead', 0);
    const dead = await ClientImport.create({
      ownerId: owner.id,
      status: 'running',
      filePath: deadFile,
      heartbeatAt: new Date(Date.now() - HOUR_MS),
    });
    const alive = await ClientImport.create({ ownerId: owner.id, status: 'running', heartbeatAt: new Date() });
    expect(await reapStaleImports(60_000, dead.id)).to.equal(1);
    expect(await reapStaleImports(60_000, alive.id)).to.equal(0);
    await dead.reload();
    expect(dead).to.deep.include({ status: 'failed', problemKey: IMPORT_INTERRUPTED, filePath: null });
    expect(dead.finishedAt).to.be.instanceOf(Date);
    expect(existsSync(deadFile)).to.equal(false);
    expect((await alive.reload()).status).to.equal('running');
    await alive.update({ status: 'done' });
  });

  it('when the folder holds uploads no import waits for, then the old ones are removed, a waiting or recent one kept', async () => {
    const owner = await makeUser();
    const folder = scratchFolder('orphans');
    const orphan = fileIn(folder, 'orphan', HOUR_MS);
    const arriving = fileIn(folder, 'arriving', 0);
    const waiting = fileIn(folder, 'waiting', HOUR_MS);
    const job = await ClientImport.create({ ownerId: owner.id, filePath: waiting, heartbeatAt: new Date() });
    expect(await removeOrphanUploads(folder, 60_000)).to.equal(1);
    expect([orphan, arriving, waiting].map((file) => existsSync(file))).to.deep.equal([false, true, true]);
    await job.update({ status: 'failed', filePath: null });
  });
});
