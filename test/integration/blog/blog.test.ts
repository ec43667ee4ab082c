import { expect } from 'chai';
import request from 'supertest';
import { siteEvents } from '../../../src/cache/site-events.js';
import { MemoryStore } from '../../../src/cache/memory-store.js';
import { Post } from '../../../src/db/models/index.js';
import { makeUser, unique } from '../../support/factories.js';
import { signedIn } from '../../support/web.js';
import { siteWith } from '../../support/cache-sites.js';

interface PostAttrs {
  title?: string;
  content?: string;
  imagePath?: string | null;
  isPublished?: boolean;
  publishedAt?: Date | null;
}

/** A post with the given fields (makePost only makes published ones with fixed content). */
function blogPost(attrs: PostAttrs = {}): Promise<Post> {
  return Post.create({
    title: attrs.title ?? unique('Post '),
    content: attrs.content ?? 'Some *markdown*',
    imagePath: attrs.imagePath ?? null,
    authorId: null,
    isPublished: attrs.isPublished ?? true,
    publishedAt: attrs.publishedAt === undefined ? new Date(Date.now() - 1_000) : attrs.publishedAt,
  });
}

/** The /blog page (first to last) that lists the title. */
async function blogPageWith(app: Parameters<typeof request>[0], title: string): Promise<string> {
  for (let page = 1; page <= 100; page += 1) {
    const url = page === 1 ? '/blog' : `/blog?page=${page}`;
    const res = await request(app).get(url).expect(200);
    if (res.text.includes(title)) return url;
    if (!res.text.includes(`page=${page + 1}`)) break;
  }
  throw new Error(`no /blog page lists ${title}`);
}

const blogSite = () => siteWith(new MemoryStore(`test:${unique()}:`));
const viewsOf = async (post: Post) => (await post.reload()).viewCount;

describe('the blog', () => {
  it('when posts are published, drafts or scheduled, then the list shows only the published ones, newest first', async () => {
    const app = blogSite();
    const now = Date.now();
    const older = await blogPost({ title: unique('Older '), publishedAt: new Date(now - 30) });
    const newer = await blogPost({
      title: unique('Newer '),
      publishedAt: new Date(now - 10),
      content: 'First *words* of the post.',
      imagePath: 'posts/cover one.png',
    });
    const draft = await blogPost({ title: unique('Draft '), isPublished: false });
    const scheduled = await blogPost({ title: unique('Scheduled '), publishedAt: new Date(now + 3_600_000) });

    const page = await request(app).get('/blog').expect(200);
    expect(page.text).to.contain(newer.title).and.contain(older.title);
    expect(page.text.indexOf(newer.title)).to.be.lessThan(page.text.indexOf(older.title));
    expect(page.text).not.to.contain(draft.title);
    expect(page.text).not.to.contain(scheduled.title);
    expect(page.text).to.contain('First words of the post.');
    expect(page.text).to.contain('src="/uploads/posts/cover%20one.png"');
    expect(page.text).to.contain(`href="/blog/${newer.id}"`);
    expect(page.text).to.contain('0 views');
  });

  it('when there are more posts than fit a page, then the next page holds the rest and htmx gets only the list', async () => {
    const app = blogSite();
    const now = Date.now();
    const posts: Post[] = [];
    for (let i = 0; i < 11; i += 1) posts.push(await blogPost({ publishedAt: new Date(now - 100 + i) }));
    const oldest = posts[0] as Post;
    const newest = posts[10] as Post;

    const first = await request(app).get('/blog').expect(200);
    expect(first.text).to.contain(newest.title).and.not.contain(oldest.title);
    expect(first.text).to.match(/href="\/blog\?page=2"/);

    const second = await request(app).get('/blog?page=2').expect(200);
    expect(second.text).to.contain(oldest.title);

    const fragment = await request(app).get('/blog?page=2').set('HX-Request', 'true').expect(200);
    expect(fragment.text).to.contain(oldest.title);
    expect(fragment.text).not.to.contain('<html');
  });

  it('when a published post is opened, then its Markdown is shown as HTML with anything active removed', async () => {
    const app = blogSite();
    const post = await blogPost({
      content:
        '## Hello\n\nA **bold** claim.\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1)) ![x](https://evil.example/x.png)',
    });
    const page = await request(app).get(`/blog/${post.id}`).expect(200);
    expect(page.text).to.contain('<h2>Hello</h2>').and.contain('<strong>bold</strong>');
    expect(page.text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.to.contain('<script>alert');
    expect(page.text).not.to.contain('href="javascript:');
    expect(page.text).not.to.contain('evil.example');
    expect(page.text).to.contain(`<title>${post.title} · Mailer</title>`);
  });

  it("when a post's title and text hold markup, then the list, the post and the home page show it as text", async () => {
    const app = blogSite();
    const payload = '<script>alert("x")</script>';
    const post = await blogPost({ title: `${unique('T')} ${payload}`, content: payload, publishedAt: new Date() });
    for (const path of ['/blog', `/blog/${post.id}`]) {
      const page = await request(app).get(path).expect(200);
      expect(page.text, path).not.to.contain(payload);
      expect(page.text, path).to.contain('&lt;script&gt;alert(');
    }
    expect((await request(app).get('/').expect(200)).text).not.to.contain(payload);
  });

  it('when a draft, a scheduled post, an unknown or a malformed id is opened, then it is a 404 and no view is counted', async () => {
    const app = blogSite();
    const draft = await blogPost({ isPublished: false });
    const scheduled = await blogPost({ publishedAt: new Date(Date.now() + 3_600_000) });
    await request(app).get(`/blog/${draft.id}`).expect(404);
    await request(app).get(`/blog/${scheduled.id}`).expect(404);
    await request(app).get('/blog/999999999').expect(404);
    await request(app).get('/blog/abc').expect(404);
    expect(await viewsOf(draft)).to.equal(0);
    expect(await viewsOf(scheduled)).to.equal(0);
  });

  it('when a post is read several times, some from the page cache, then each reading adds exactly one view', async () => {
    const app = blogSite();
    const post = await blogPost();
    const first = await request(app).get(`/blog/${post.id}`).expect(200);
    expect(first.text).to.contain('1 view');
    // A title changed without announcing it shows the next page came from the cache.
    await Post.update({ title: 'Changed quietly' }, { where: { id: post.id } });
    const second = await request(app).get(`/blog/${post.id}`).expect(200);
    expect(second.text).not.to.contain('Changed quietly');
    expect(await viewsOf(post)).to.equal(2);
    const reader = await signedIn(app, await makeUser());
    const signed = await reader.agent.get(`/blog/${post.id}`).expect(200);
    expect(signed.text).to.contain('Changed quietly').and.contain('3 views');
    await request(app).head(`/blog/${post.id}`).expect(200);
    expect(await viewsOf(post)).to.equal(3);
  });

  it('when views arrive at the same time, then none is lost', async () => {
    const app = blogSite();
    const post = await blogPost();
    await Promise.all(Array.from({ length: 10 }, () => request(app).get(`/blog/${post.id}`).expect(200)));
    expect(await viewsOf(post)).to.equal(10);
  });

  it('when a post is edited or unpublished and the change is announced, then the cached pages follow', async () => {
    const app = blogSite();
    const post = await blogPost();
    await request(app).get(`/blog/${post.id}`).expect(200);
    // Other tests' posts share the database, so find the list page this post is on (and cache it).
    const listPage = await blogPageWith(app, post.title);

    const edited = unique('Edited ');
    await Post.update({ title: edited }, { where: { id: post.id } });
    siteEvents.emit('posts-changed', post.id);
    expect((await request(app).get(`/blog/${post.id}`).expect(200)).text).to.contain(edited);
    expect((await request(app).get(listPage).expect(200)).text).to.contain(edited);

    await Post.update({ isPublished: false }, { where: { id: post.id } });
    siteEvents.emit('posts-changed', post.id);
    await request(app).get(`/blog/${post.id}`).expect(404);
    expect((await request(app).get(listPage).expect(200)).text).not.to.contain(edited);

    await Post.update({ isPublished: true }, { where: { id: post.id } });
    siteEvents.emit('posts-changed', post.id);
    await request(app).get(`/blog/${post.id}`).expect(200);
  });
});
