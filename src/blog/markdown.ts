// Blog posts are Markdown written in the back office; readers get HTML that can carry nothing active.
// Two layers: markdown-it with `html: false` turns any raw HTML in the source into text, and its link validation
// refuses javascript:, vbscript:, file: and data: URLs; sanitize-html then re-checks the result against an
// allow-list (no attributes but a few, no styles or handlers, links only http(s)/mailto/relative, images only from
// our own origin: relative paths, or absolute URLs on APP_URL rewritten to paths; the CSP allows no others).
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

type Token = ReturnType<MarkdownIt['parse']>[number];

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

/** A same-origin absolute URL as a path; anything else unchanged (the sanitiser then drops absolute ones). */
function ownPath(src: string | undefined, origin: string): string {
  if (!src) return '';
  try {
    const url = new URL(src);
    return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : src;
  } catch {
    return src; // not absolute: a relative path
  }
}

function sanitizerOptions(origin: string): sanitizeHtml.IOptions {
  return {
    allowedTags: [
      'p',
      'br',
      'hr',
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'blockquote',
      'ul',
      'ol',
      'li',
      'pre',
      'code',
      'em',
      'strong',
      's',
      'a',
      'img',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
    ],
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'title', 'class'],
      ol: ['start'],
      code: ['class'],
      table: ['class'],
    },
    allowedClasses: { code: ['language-*'], img: ['img-fluid'], table: ['table'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    // No scheme at all for images: only relative URLs (own-origin absolute ones were made relative above).
    allowedSchemesByTag: { img: [] },
    allowProtocolRelative: false,
    transformTags: {
      img: (tagName, attribs) => ({
        tagName,
        attribs: { ...attribs, src: ownPath(attribs.src, origin), class: 'img-fluid' },
      }),
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener noreferrer' } }),
      table: (tagName, attribs) => ({ tagName, attribs: { ...attribs, class: 'table' } }),
    },
    // An image whose source was refused is dropped rather than left as an empty <img>.
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  };
}

/** Renders a post's Markdown as safe HTML; `siteUrl` (APP_URL) says which absolute image URLs are ours. */
export function renderMarkdown(source: string, siteUrl: string): string {
  return sanitizeHtml(markdown.render(source), sanitizerOptions(new URL(siteUrl).origin));
}

function textOf(tokens: Token[], parts: string[]): void {
  for (const token of tokens) {
    if (token.children) textOf(token.children, parts);
    else if (token.type === 'text' || token.type === 'code_inline' || token.type === 'code_block')
      parts.push(token.content);
    else if (token.type === 'fence') parts.push(token.content);
    else if (token.type === 'softbreak' || token.type === 'hardbreak' || token.type.endsWith('_close')) parts.push(' ');
  }
}

/** The start of a post as plain text (for lists and cards; the view escapes it), cut at a word boundary. */
export function excerptOf(source: string, maxLength = 200): string {
  const parts: string[] = [];
  textOf(markdown.parse(source, {}), parts);
  const text = parts.join('').replace(/\s+/g, ' ').trim();
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength + 1);
  const atWord = cut.lastIndexOf(' ');
  return `${(atWord > maxLength / 2 ? cut.slice(0, atWord) : text.slice(0, maxLength)).trimEnd()}…`;
}
