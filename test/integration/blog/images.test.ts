// Blog images served from the database: their content-hash URLs and headers, and the old /uploads/ addresses.
import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { saveImage } from '../../../src/blog/image-store.js';
import { checkImageBytes } from '../../../src/blog/post-images.js';
import { postCard } from '../../../src/blog/post-card.js';
import { execute } from '../../../src/delivery/sql.js';
import { makePost, unique } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { uniqueGif, uniquePng } from '../../support/images.js';
import { testSite } from '../../support/web.js';

describe('blog images at /images/<sha256>.<ext>', () => {
  let app: Express;
  before(() => {
    app = testSite().app;
  });

  it('when a stored image is asked for, then its bytes come with a year of immutable caching and its hash as ETag', async () => {
    const bytes = uniqueGif();
    const url = await saveImage(checkImageBytes(bytes));
    const sha256 = checkImageBytes(bytes).sha256;
    expect(url).to.equal(`/images/${sha256}.gif`);
    const res = await request(app).get(url).expect(200);
    expect(Buffer.from(res.body as Buffer).equals(bytes)).to.equal(true);
    expect(res.headers).to.include({
      'content-type': 'image/gif',
      'content-length': String(bytes.length),
      'cache-control': 'public, max-age=31536000, immutable',
      etag: `"${sha256}"`,
      'x-content-type-options': 'nosniff',
    });
    await request(app).head(url).expect(200).expect('Content-Length', String(bytes.length));
    const again = await request(app).get(url).set('If-None-Match', `"${sha256}"`).expect(304);
    expect(again.text ?? '').to.equal('');
  });

  it('when the same bytes are saved twice, then the URL is the same', async () => {
    const bytes = uniquePng();
    expect(await saveImage(checkImageBytes(bytes))).to.equal(await saveImage(checkImageBytes(bytes)));
  });

  it('when the name is unknown, of another kind than the image, or not a hash, then it is a 404', async () => {
    const url = await saveImage(checkImageBytes(uniquePng()));
    const sha256 = url.slice('/images/'.length, -'.png'.length);
    for (const wrong of [
      `/images/${'0'.repeat(64)}.png`,
      `/images/${sha256}.gif`,
      `/images/${sha256.toUpperCase()}.png`,
      `/images/${sha256}`,
      '/images/..%2F..%2Fetc%2Fpasswd',
      '/images/%E0%A4%A',
    ])
      expect((await request(app).get(wrong)).status, wrong).to.be.oneOf([400, 404]);
  });

  it('when an old /uploads/ address moved into the database, then it redirects (301) there; any other is a 404', async () => {
    const url = await saveImage(checkImageBytes(uniquePng()));
    const oldPath = `posts/${unique('old')} photo.png`;
    await execute(testDatabase(), 'INSERT INTO image_redirects (old_path, sha256) VALUES (:oldPath, :sha256)', {
      oldPath,
      sha256: url.slice('/images/'.length, -'.png'.length),
    });
    const old = `/uploads/${oldPath.split('/').map(encodeURIComponent).join('/')}`;
    await request(app).get(old).expect(301).expect('Location', url);
    for (const gone of ['/uploads/posts/never-there.png', '/uploads/posts/..%2F..%2Fetc%2Fpasswd', '/uploads/%E0%A4%A'])
      expect((await request(app).get(gone)).status, gone).to.be.oneOf([400, 404]);
  });

  it('when a post names a stored image, then its card shows the image’s own URL; an old path stays under /uploads/', async () => {
    const url = await saveImage(checkImageBytes(uniquePng()));
    const reader = { language: 'en', timeZone: 'UTC' };
    expect(postCard(await makePost({ imagePath: url }), reader).imageUrl).to.equal(url);
    expect(postCard(await makePost({ imagePath: 'posts/a b.png' }), reader).imageUrl).to.equal(
      '/uploads/posts/a%20b.png',
    );
  });
});
