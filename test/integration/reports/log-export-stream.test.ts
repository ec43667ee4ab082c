import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { Writable } from 'node:stream';
import { Delivery } from '../../../src/db/models/index.js';
import { translator } from '../../../src/i18n/i18n.js';
import { DELIVERY_COLUMNS, writeColumnsCsv } from '../../../src/reports/report-csv.js';
import { deliveryChunks, findRun, type ExportedDelivery } from '../../../src/reports/reports.service.js';
import { makeMailing, makeRun, makeUser } from '../../support/factories.js';
import { signedIn, testSite } from '../../support/web.js';

/** A reader of the CSV that takes each write a moment later and keeps a small buffer (as a slow download does). */
function slowReader(writes: string[]): Writable {
  return new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      setTimeout(done, 2);
    },
  });
}

describe('a long run log exported', () => {
  it('when the log has several chunks of rows, then the CSV is written chunk by chunk, each read only after the reader took the one before', async () => {
    const owner = await makeUser();
    const run = await makeRun(await makeMailing(owner));
    const rows = Array.from({ length: 2_500 }, (_, i) => ({
      runId: run.id,
      clientId: null,
      email: `s${String(i).padStart(4, '0')}@example.test`,
      status: 'sent' as const,
    }));
    await Delivery.bulkCreate(rows);
    const writes: string[] = [];
    const out = slowReader(writes);
    const writesWhenRead: number[] = [];
    async function* watched(): AsyncGenerator<ExportedDelivery[]> {
      for await (const chunk of deliveryChunks(await findRun(owner, run.id), null, 1_000)) {
        writesWhenRead.push(writes.length);
        yield chunk;
      }
    }
    const finished = new Promise((resolve) => out.on('finish', resolve));
    await writeColumnsCsv(out, { t: translator('en'), zone: 'UTC' }, DELIVERY_COLUMNS, watched());
    await finished;
    // Three chunks of rows after the header: each was read after the writes before it had reached the reader.
    expect(writesWhenRead).to.deep.equal([0, 2, 3]);
    expect(writes).to.have.length(4);
    const records: string[][] = parse(writes.join('').slice(1));
    const emails = records.slice(1).map((row) => row[0]);
    expect(emails).to.deep.equal(rows.map((row) => row.email));
  });

  it('when the log is downloaded, then the response is streamed (chunked, no length known up front)', async () => {
    const owner = await makeUser();
    const run = await makeRun(await makeMailing(owner));
    await Delivery.bulkCreate(
      Array.from({ length: 1_200 }, (_, i) => ({ runId: run.id, clientId: null, email: `d${i}@example.test` })),
    );
    const browser = await signedIn(testSite().app, owner);
    const res = await browser.agent.get(`/reports/runs/${run.id}/export.csv`).expect(200);
    expect(res.headers['transfer-encoding']).to.equal('chunked');
    expect(res.headers['content-length']).to.equal(undefined);
    expect(res.text.split('\n').filter(Boolean)).to.have.length(1_201);
  });
});
