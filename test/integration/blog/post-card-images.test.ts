// A post's image on the blog list, the home page's cards and the post page: a lazily loaded thumbnail in a fixed
// frame, described by its alt text or else by the post's title; no <img> for a post without an image.
import { expect } from 'chai';
import request from 'supertest';
import { MemoryStore } from '../../../src/cache/memory-store.js';
import { Post } from '../../../src/db/models/index.js';
import { makePost, makeUser, unique } from '../../support/factories.js';
import { siteWith } from '../../support/cache-sites.js';
import { signedIn } from '../../support/web.js';
import { API, backOffice, body } from '../admin/back-office.js';

/** The <article> of the post's card on a page, or '' when the page does not show it. */
function cardOf(html: string, post: Post): string {
  const cards = html.split('<article').slice(1);
  return cards.find((card) => card.includes(`href="/blog/${post.id}"`)) ?? '';
}

describe('post images on the cards', () => {
  const site = () => siteWith(new MemoryStore(`test:${unique()}:`));

  it('when posts have an image with alt text, one without, or none, then the blog list shows each as it should', async () => {
    const described = await makePost({ imagePath: 'posts/a.png', imageAlt: 'Кот на подоконнике' });
    const untitled = await makePost({ title: unique('Пост с картинкой '), imagePath: 'posts/b.png', imageAlt: '  ' });
    const plain = await makePost({ imagePath: undefined });
    const app = site();
    const html = (await request(app).get('/blog').expect(200)).text;
    const first = cardOf(html, described);
    expect(first).to.match(/<img class="post-thumbnail" src="\/uploads\/posts\/a\.png" alt="Кот на подоконнике"/);
    expect(first).to.contain('loading="lazy"').and.to.contain('ratio ratio-16x9');
    expect(first).to.contain('width="640" height="360"');
    expect(cardOf(html, untitled)).to.contain(`alt="${untitled.title}"`);
    expect(cardOf(html, plain)).to.contain(plain.title);
    expect(cardOf(html, plain)).not.to.contain('<img');
  });

  it('when a post with an image is opened, then its page describes the image the same way', async () => {
    const described = await makePost({ imagePath: 'posts/c.png', imageAlt: 'График <роста> & "успеха"' });
    const untitled = await makePost({ imagePath: 'posts/d.png' });
    const app = site();
    const page = (await request(app).get(`/blog/${described.id}`).expect(200)).text;
    expect(page).to.contain('alt="График &lt;роста&gt; &amp; &quot;успеха&quot;"');
    expect((await request(app).get(`/blog/${untitled.id}`).expect(200)).text).to.contain(`alt="${untitled.title}"`);
  });

  it('when the home page draws a post with an image, then its card shows the thumbnail with the alt text', async () => {
    const post = await makePost({ imagePath: 'posts/e.png', imageAlt: unique('Описание ') });
    const app = site();
    // The home page draws three published posts at random; signed in, every request draws again (no page cache).
    const browser = await signedIn(app, await makeUser());
    let card = '';
    for (let attempt = 0; attempt < 2000 && !card; attempt += 1) {
      card = cardOf((await browser.agent.get('/').expect(200)).text, post);
    }
    expect(card, 'the home page never drew the post').not.to.equal('');
    expect(card).to.contain(`alt="${post.imageAlt}"`).and.to.contain('loading="lazy"');
  });
});

describe('a post image’s alt text in the back office', () => {
  const office = backOffice();

  it('when a content manager writes, keeps or clears the alt text, then the post keeps what was written', async () => {
    const { agent } = await office.staff('content_manager');
    const title = unique('Пост ');
    const created = body(
      await agent
        .post(`${API}/posts/actions/new`)
        .field('title', title)
        .field('content', 'Текст')
        .field('imageAlt', '  Закат над морем  ')
        .expect(200),
    );
    expect(created.notice?.type, JSON.stringify(created)).to.equal('success');
    const post = await Post.findOne({ where: { title } });
    expect(post?.imageAlt).to.equal('Закат над морем');
    await agent.post(`${API}/posts/records/${post?.id}/edit`).field('title', `${title} 2`).expect(200);
    expect((await post?.reload())?.imageAlt, 'an edit without the field keeps it').to.equal('Закат над морем');
    await agent.post(`${API}/posts/records/${post?.id}/edit`).field('imageAlt', '').expect(200);
    expect((await post?.reload())?.imageAlt).to.equal('');
    const refused = body(
      await agent.post(`${API}/posts/records/${post?.id}/edit`).field('imageAlt', 'строка\nвторая').expect(200),
    );
    expect(refused.record?.errors.imageAlt?.message).to.be.a('string');
  });
});
