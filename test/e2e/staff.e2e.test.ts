import { expect } from 'chai';
import { deflateSync } from 'node:zlib';
import type { Browser, Locator } from 'playwright-core';
import { countPublished } from '../../src/blog/blog.service.js';
import { Image, Post } from '../../src/db/models/index.js';
import { HOME_POST_COUNT } from '../../src/home/home.routes.js';
import { FACTORY_PASSWORD, makeUser } from '../support/factories.js';
import { browserSuite, type E2eSite, openPage, screenshot, seriousAccessibilityProblems } from '../support/e2e.js';

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A small valid PNG: a blue-to-teal gradient, wide enough to look like a post's picture (a few hundred bytes). */
function gradientPng(width = 480, height = 200): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.alloc(1 + width * 3); // filter byte 0, then pixels
  for (let x = 0; x < width; x += 1) row.set([30, 80 + Math.round((100 * x) / width), 200], 1 + x * 3);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(pixels)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The image's natural width once it has loaded (0 if it cannot be shown). */
function loadedWidth(image: Locator): Promise<number> {
  return image.evaluate((element) => {
    const img = element as unknown as { naturalWidth: number; decode(): Promise<void> };
    return img.decode().then(
      () => img.naturalWidth,
      () => 0,
    );
  });
}

describe('in the browser: staff', function () {
  this.timeout(120_000);
  let browser: Browser;
  let site: E2eSite;
  const suite = browserSuite();
  beforeEach(() => ({ browser, site } = suite));

  it('a content manager publishes a post with an image in /admin; readers find it on the blog and count views', async () => {
    const editor = await makeUser({ role: 'content_manager', fullName: 'Cora Content' });
    const title = 'Five habits of tidy mailing lists';
    const { page: admin, problems: adminProblems } = await openPage(browser, site);
    // AdminJS links Google Fonts, which cannot load here (no network); every other request must succeed.
    const failedRequests: string[] = [];
    admin.on('requestfailed', (request) => failedRequests.push(request.url()));

    await admin.goto('/admin');
    await admin.waitForURL(/\/admin\/login$/);
    await admin.getByPlaceholder('Email').fill(editor.email);
    await admin.getByPlaceholder('Password').fill(FACTORY_PASSWORD);
    await admin.getByRole('button', { name: 'Login' }).click();
    await admin.getByRole('heading', { level: 2, name: 'Mailer back office' }).waitFor();
    await admin.getByRole('link', { name: 'Blog posts' }).click();
    await admin.getByRole('link', { name: 'Create new' }).click();
    await admin.getByLabel('Title').fill(title);
    await admin
      .getByLabel('Content')
      .fill('Remove addresses that bounce.\n\nAsk before you add anyone: **consent** first.');
    await admin
      .getByTestId('property-edit-image')
      .locator('input[type=file]')
      .setInputFiles({ name: 'tidy-lists.png', mimeType: 'image/png', buffer: gradientPng() });
    await admin.getByTestId('property-edit-image').getByText('tidy-lists.png').waitFor();
    await admin.getByLabel('Image description (alt text)').fill('A tidy list of addresses');
    await admin.getByText('Published', { exact: true }).click();
    expect(await admin.getByLabel('Published', { exact: true }).isChecked()).to.equal(true);
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.getByText('Successfully created a new record').waitFor();

    const post = await Post.findOne({ where: { title } });
    expect(post, 'the post is stored').to.not.equal(null);
    expect(post?.isPublished).to.equal(true);
    expect(post?.authorId).to.equal(editor.id);
    expect(post?.imagePath).to.match(/^\/images\/[0-9a-f]{64}\.png$/);
    const sha256 = post?.imagePath?.slice('/images/'.length, -'.png'.length) ?? '';
    expect((await Image.findByPk(sha256))?.contentType, 'the image is in the database').to.equal('image/png');
    const postId = post?.id ?? 0;

    // A reader (another browser profile, not signed in) finds the post through the navbar.
    const { page, problems } = await openPage(browser, site);
    // Other tests' posts share the database and may name image files that were never uploaded here.
    const missing: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) missing.push(new URL(response.url()).pathname);
    });
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Blog' }).click();
    await page.getByRole('heading', { level: 1, name: 'Blog' }).waitFor();
    const card = page.getByRole('article').filter({ has: page.getByRole('link', { name: title }) });
    await card.waitFor();
    expect(await loadedWidth(card.locator('img'))).to.equal(480);
    expect(await card.getByRole('img', { name: 'A tidy list of addresses' }).getAttribute('loading')).to.equal('lazy');
    await screenshot(page, 'blog');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);

    await card.getByRole('link', { name: title }).click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.getByText('consent', { exact: true }).waitFor(); // the Markdown is rendered
    expect(await loadedWidth(page.locator('article img'))).to.equal(480);
    await screenshot(page, 'blog-post');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);
    expect((await Post.findByPk(postId))?.viewCount).to.equal(1);

    // A second visit counts again (the page itself may come from the 60 s page cache; the stored count is exact).
    await page.getByRole('link', { name: '← All posts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Blog' }).waitFor();
    await page.getByRole('link', { name: title }).click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    expect((await Post.findByPk(postId))?.viewCount).to.equal(2);

    // The home page draws three published posts at random: with no more than three, ours must be among them.
    await page.getByRole('link', { name: 'Mailer', exact: true }).click();
    await page.getByRole('heading', { name: 'From the blog' }).waitFor();
    if ((await countPublished()) <= HOME_POST_COUNT) {
      await page
        .getByRole('article')
        .filter({ has: page.getByRole('link', { name: title }) })
        .waitFor();
    }
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);
    expect(
      missing.filter((url) => !url.startsWith('/uploads/') || url.endsWith(post?.imagePath ?? 'none')),
    ).to.deep.equal([]);
    expect(problems).to.deep.equal([]);

    // The back office's list, loaded afresh (it is never cached), shows the stored count.
    await admin.reload();
    const row = admin.getByRole('row').filter({ hasText: title });
    expect(await row.getByTestId('property-list-viewCount').textContent()).to.equal('2');
    await row.locator('img').waitFor();
    await screenshot(admin, 'admin-posts');
    expect(failedRequests.filter((url) => !/^https:\/\/fonts\.(googleapis|gstatic)\.com\//.test(url))).to.deep.equal(
      [],
    );
    expect(adminProblems.filter((problem) => !/net::ERR_NAME_NOT_RESOLVED/.test(problem))).to.deep.equal([]);

    // Signing out from the account menu is a POST of the page's own; afterwards the back office asks to log in.
    await admin.getByText(editor.email, { exact: true }).click();
    await admin.getByText('Log out', { exact: true }).click();
    await admin.waitForURL(/\/admin\/login$/);
    await admin.goto('/admin');
    await admin.waitForURL(/\/admin\/login$/);
  });
});
