import { expect } from 'chai';
import { excerptOf, renderMarkdown } from '../../../src/blog/markdown.js';
import { imageUrlOf } from '../../../src/blog/post-card.js';
import { pickRandom, poolTtlSeconds, POOL_MAX_TTL_SECONDS } from '../../../src/blog/post-pool.js';

const SITE = 'https://mailer.example';
const render = (source: string) => renderMarkdown(source, SITE);

describe('rendering a post', () => {
  it('when the Markdown has formatting, lists, code and tables, then they become HTML', () => {
    const html = render('# Title\n\nSome *em* and **strong**, `a < b`.\n\n- one\n- two\n\n| a |\n|---|\n| 1 |');
    expect(html).to.contain('<h1>Title</h1>');
    expect(html).to.contain('<em>em</em>').and.contain('<strong>strong</strong>');
    expect(html).to.contain('<code>a &lt; b</code>');
    expect(html).to.contain('<li>one</li>');
    expect(html).to.contain('<table class="table">');
  });

  it('when the source holds raw HTML, then it is shown as text, never as markup', () => {
    const html = render(
      '<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> <b onclick="x()">b</b> <iframe src="/"></iframe>',
    );
    expect(html).not.to.match(/<(script|img|b|iframe)\b/);
    expect(html).to.contain('&lt;script&gt;');
  });

  it('when a link uses javascript:, data: or vbscript:, in any spelling, then it is not a link', () => {
    for (const target of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      '&#106;avascript:alert(1)',
      'data:text/html,x',
      'vbscript:x',
    ]) {
      const html = render(`[click](${target})`);
      expect(html, target).not.to.contain('<a');
    }
  });

  it('when a link is http(s), mailto or relative, then it stays, marked nofollow', () => {
    const html = render('[a](https://example.com) [b](mailto:x@example.com) [c](/blog/2)');
    expect(html).to.contain('href="https://example.com"').and.contain('href="mailto:x@example.com"');
    expect(html).to.contain('href="/blog/2"').and.contain('rel="nofollow noopener noreferrer"');
  });

  it('when images come from elsewhere, then only relative and own-origin ones remain (as paths)', () => {
    const html = render(
      '![a](/uploads/a.png) ![b](https://mailer.example/uploads/b.png) ![c](https://evil.example/c.png) ' +
        '![d](//evil.example/d.png) ![e](data:image/png;base64,AAAA) ![f](javascript:alert(1))',
    );
    expect(html).to.contain('<img src="/uploads/a.png" alt="a"');
    expect(html).to.contain('<img src="/uploads/b.png" alt="b"');
    expect(html.match(/<img/g)).to.have.length(2);
    expect(html).not.to.contain('evil.example');
  });
});

describe('a post excerpt', () => {
  it('when the post is short, then the excerpt is its plain text without Markdown marks', () => {
    expect(excerptOf('# Hello\n\nSome *markdown* & `code`.')).to.equal('Hello Some markdown & code.');
  });

  it('when the post is long, then the excerpt is cut at a word and ends with an ellipsis', () => {
    const excerpt = excerptOf('word '.repeat(100), 50);
    expect(excerpt.length).to.be.at.most(51);
    expect(excerpt).to.match(/word…$/);
  });
});

describe("a post's image URL", () => {
  it('when the path is inside the upload folder, then it is served under /uploads with each part encoded', () => {
    expect(imageUrlOf('posts/2026/a b.png')).to.equal('/uploads/posts/2026/a%20b.png');
  });

  it('when the path tries to leave the upload folder or is a URL, then there is no image', () => {
    for (const bad of ['../secret.png', '/etc/passwd', 'a/../../b.png', 'https://evil.example/x.png', 'a\\b.png', '']) {
      expect(imageUrlOf(bad), bad).to.equal(null);
    }
  });
});

describe('the random posts', () => {
  it('when there are more ids than asked for, then the pick is distinct ids from the pool', () => {
    const picked = pickRandom([1, 2, 3, 4, 5], 3);
    expect(new Set(picked).size).to.equal(3);
    for (const id of picked) expect([1, 2, 3, 4, 5]).to.include(id);
  });

  it('when there are fewer ids than asked for, then all of them are picked', () => {
    expect(pickRandom([7, 8], 3).sort()).to.deep.equal([7, 8]);
  });

  it('when a scheduled post comes due soon, then the pool expires by then', () => {
    const now = 1_000_000;
    expect(poolTtlSeconds({ ids: [], nextPublicationAt: null }, now)).to.equal(POOL_MAX_TTL_SECONDS);
    expect(poolTtlSeconds({ ids: [], nextPublicationAt: now + 30_500 }, now)).to.equal(31);
    expect(poolTtlSeconds({ ids: [], nextPublicationAt: now - 5 }, now)).to.equal(1);
  });
});
