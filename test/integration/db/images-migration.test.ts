// Migration 0021 moves the blog's image files into the database and back.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { createMigrator } from '../../../src/db/migrator.js';
import { capturedLogger } from '../../support/captured-logger.js';
import { rejectionOf } from '../../support/expect.js';
import { scratchFolder } from '../../support/hooks.js';
import { uniqueGif, uniquePng } from '../../support/images.js';
import { databaseBefore } from '../../support/migration-database.js';

const BEFORE = '20261216-0020-suppressions';
const THIS = '20261217-0021-shared-limits-and-images';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('migration 0021: blog images into the database', () => {
  const db = databaseBefore(BEFORE);

  async function post(id: number): Promise<{ image_path: string | null; content: string }> {
    const [row] = await db.sequelize.query<{ image_path: string | null; content: string }>(
      'SELECT image_path, content FROM posts WHERE id = :id',
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    if (!row) throw new Error(`no post ${id}`);
    return row;
  }

  function rows<T extends object>(sql: string): Promise<T[]> {
    return db.sequelize.query<T>(sql, { type: QueryTypes.SELECT });
  }

  it('when applied, then the files posts name are stored and the posts point at them; missing or odd files are logged and left; down brings the files back', async () => {
    const uploadDir = scratchFolder('legacy-uploads');
    mkdirSync(path.join(uploadDir, 'posts'));
    const [png, gif] = [uniquePng(), uniqueGif()];
    writeFileSync(path.join(uploadDir, 'posts', 'a.png'), png);
    writeFileSync(path.join(uploadDir, 'posts', 'cover one.gif'), gif);
    writeFileSync(path.join(uploadDir, 'posts', 'fake.png'), '<svg onload="alert(1)"></svg>');
    const insert = (values: Record<string, unknown>) => db.insert('posts', { title: 'p', content: '', ...values });
    const withImage = await insert({ image_path: 'posts/a.png' });
    const quoting = await insert({ content: 'Look: ![a](/uploads/posts/a.png) and [b](/uploads/posts/missing.png).' });
    const absolute = await insert({
      image_path: 'posts/cover one.gif',
      content: '![c](https://mailer.test/uploads/posts/cover%20one.gif?v=1)',
    });
    const missing = await insert({ image_path: 'posts/missing.png' });
    const fake = await insert({ image_path: 'posts/fake.png' });
    const outside = await insert({ image_path: '../../etc/passwd' });

    const log = capturedLogger('info');
    await createMigrator(db.sequelize, { uploadDir, logger: log.logger }).up({ to: THIS });

    const [pngUrl, gifUrl] = [`/images/${sha256(png)}.png`, `/images/${sha256(gif)}.gif`];
    const images = await rows<{ sha256: string; content_type: string; byte_size: number; bytes: Buffer }>(
      'SELECT sha256, content_type, byte_size, bytes FROM images ORDER BY content_type',
    );
    expect(images.map((i) => [i.sha256, i.content_type, Number(i.byte_size)])).to.deep.equal([
      [sha256(gif), 'image/gif', gif.length],
      [sha256(png), 'image/png', png.length],
    ]);
    expect(images.map((i) => sha256(Buffer.from(i.bytes)))).to.deep.equal([sha256(gif), sha256(png)]);
    expect(await rows('SELECT old_path, sha256 FROM image_redirects ORDER BY old_path')).to.deep.equal([
      { old_path: 'posts/a.png', sha256: sha256(png) },
      { old_path: 'posts/cover one.gif', sha256: sha256(gif) },
    ]);
    expect(await post(withImage)).to.deep.equal({ image_path: pngUrl, content: '' });
    expect((await post(quoting)).content).to.equal(`Look: ![a](${pngUrl}) and [b](/uploads/posts/missing.png).`);
    expect(await post(absolute)).to.deep.equal({
      image_path: gifUrl,
      content: `![c](https://mailer.test${gifUrl}?v=1)`,
    });
    expect((await post(missing)).image_path).to.equal('posts/missing.png');
    expect((await post(fake)).image_path).to.equal('posts/fake.png');
    expect((await post(outside)).image_path).to.equal('../../etc/passwd');
    const left = log.records.filter((r) => r.msg === 'migration 0021: image left as it was');
    expect(left.map((r) => [r.postId, r.path, r.reason])).to.deep.equal([
      [quoting, 'posts/missing.png', 'missing'],
      [missing, 'posts/missing.png', 'missing'],
      [fake, 'posts/fake.png', 'not a PNG, JPEG, GIF or WebP image'],
      [outside, '../../etc/passwd', 'outside UPLOAD_DIR'],
    ]);
    expect(existsSync(path.join(uploadDir, 'posts', 'a.png')), 'the files stay').to.equal(true);

    // After the move: the old file is gone, and a new post's image exists only in the database.
    rmSync(path.join(uploadDir, 'posts', 'a.png'));
    const fresh = uniquePng();
    await db.sequelize.query(
      `INSERT INTO images (sha256, content_type, byte_size, bytes, created_at)
       VALUES (:sha, 'image/png', :size, :bytes, :now)`,
      { replacements: { sha: sha256(fresh), size: fresh.length, bytes: fresh, now: new Date() } },
    );
    const uploadedLater = await insert({ image_path: `/images/${sha256(fresh)}.png` });

    const refused = await rejectionOf(createMigrator(db.sequelize).down({ to: THIS }));
    expect(String(refused)).to.contain('needs UPLOAD_DIR');
    expect((await post(withImage)).image_path, 'nothing changed').to.equal(pngUrl);

    await createMigrator(db.sequelize, { uploadDir }).down({ to: THIS });
    expect(await post(withImage)).to.deep.equal({ image_path: 'posts/a.png', content: '' });
    expect(readFileSync(path.join(uploadDir, 'posts', 'a.png')).equals(png)).to.equal(true);
    expect((await post(quoting)).content).to.equal(
      'Look: ![a](/uploads/posts/a.png) and [b](/uploads/posts/missing.png).',
    );
    expect(await post(absolute)).to.deep.equal({
      image_path: 'posts/cover one.gif',
      content: '![c](https://mailer.test/uploads/posts/cover%20one.gif?v=1)',
    });
    const laterFile = `posts/${sha256(fresh)}.png`;
    expect((await post(uploadedLater)).image_path).to.equal(laterFile);
    expect(readFileSync(path.join(uploadDir, laterFile)).equals(fresh)).to.equal(true);
    const tables = ((await db.sequelize.getQueryInterface().showAllTables()) as unknown[]).map((t) =>
      typeof t === 'string' ? t : (t as { tableName: string }).tableName,
    );
    expect(tables).to.not.include.members(['images', 'image_redirects', 'rate_limits']);

    await createMigrator(db.sequelize, { uploadDir }).up({ to: THIS });
    expect((await post(uploadedLater)).image_path).to.equal(`/images/${sha256(fresh)}.png`);
  });
});
