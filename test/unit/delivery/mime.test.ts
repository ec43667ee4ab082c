import { expect } from 'chai';
import { type AddressObject, simpleParser } from 'mailparser';
import { type OutgoingEmail, renderEmail } from '../../../src/delivery/mime.js';

const base: OutgoingEmail = {
  from: 'Shop <news@shop.example>',
  to: { name: 'Ann', address: 'ann@example.test' },
  subject: 'Weekly digest',
  text: 'Hello Ann,\n\nnews.\n',
  html: null,
  messageId: '<run1.d2.a1@shop.example>',
  date: new Date('2026-12-01T10:00:00Z'),
  headers: { 'List-Unsubscribe': '<https://mail.example/unsubscribe/abc>' },
};

/** The message as a mail reader sees it (mailparser: an independent implementation of the same RFCs). */
async function read(email: Partial<OutgoingEmail>) {
  const rendered = renderEmail({ ...base, ...email });
  return { rendered, parsed: await simpleParser(rendered.raw), text: rendered.raw.toString('utf8') };
}

function firstAddress(field: AddressObject | AddressObject[] | undefined) {
  const value = (Array.isArray(field) ? field[0] : field)?.value[0];
  return { name: value?.name, address: value?.address };
}

describe('rendering an e-mail to bytes', () => {
  it('when plain ASCII, then a reader sees every field as written, with CRLF lines only', async () => {
    const { parsed, text, rendered } = await read({});
    expect(firstAddress(parsed.from)).to.deep.equal({ name: 'Shop', address: 'news@shop.example' });
    expect(firstAddress(parsed.to)).to.deep.equal({ name: 'Ann', address: 'ann@example.test' });
    expect(parsed.subject).to.equal('Weekly digest');
    expect(parsed.messageId).to.equal('<run1.d2.a1@shop.example>');
    expect(parsed.date?.toISOString()).to.equal('2026-12-01T10:00:00.000Z');
    expect(parsed.text).to.equal('Hello Ann,\n\nnews.\n');
    expect(text).to.contain('\r\nList-Unsubscribe: <https://mail.example/unsubscribe/abc>\r\n');
    expect(text).to.not.match(/[^\r]\n/);
    expect(rendered.envelope).to.deep.equal({ from: 'news@shop.example', to: ['ann@example.test'] });
  });

  it('when names, subject and text are Russian and long, then they survive encoding and no line passes 78', async () => {
    const name = 'Анна Петровна Очень-Длинная-Фамилия Иванова-Водкина';
    const subject = 'Еженедельная сводка: что произошло за неделю, и что будет дальше — читайте';
    const body = `Здравствуйте, ${name}!\n${'Длинная строка без переносов. '.repeat(20)}\n.точка в начале\n`;
    const { parsed, text } = await read({
      from: 'Магазин «Ромашка» <news@shop.example>',
      to: { name, address: 'ann@example.test' },
      subject,
      text: body,
    });
    expect(firstAddress(parsed.from).name).to.equal('Магазин «Ромашка»');
    expect(firstAddress(parsed.to)).to.deep.equal({ name, address: 'ann@example.test' });
    expect(parsed.subject).to.equal(subject);
    expect(parsed.text).to.equal(body);
    for (const line of text.split('\r\n')) expect(line.length).to.be.at.most(78);
    expect(text).to.match(/^\p{ASCII}*$/u);
  });

  it('when a name has quotes, commas or angle brackets, then it stays one name and the address is not changed', async () => {
    const name = 'Ann "The Admin" <root@evil.test>, Bob';
    const { parsed } = await read({ to: { name, address: 'ann@example.test' } });
    expect(firstAddress(parsed.to)).to.deep.equal({ name, address: 'ann@example.test' });
    expect((Array.isArray(parsed.to) ? parsed.to[0] : parsed.to)?.value).to.have.length(1);
  });

  it('when a header value carries a line break, then no header is added by it', async () => {
    const { parsed } = await read({
      subject: 'Hi\r\nBcc: evil@x.test',
      to: { name: 'Ann\r\nCc: evil@x.test', address: 'ann@example.test' },
    });
    expect(parsed.subject).to.equal('Hi Bcc: evil@x.test');
    expect(parsed.bcc).to.equal(undefined);
    expect(parsed.cc).to.equal(undefined);
  });

  it('when there is HTML, then text and HTML are alternatives of one message', async () => {
    const { parsed } = await read({ text: 'Привет\n', html: '<p>Привет, <b>мир</b> =_ --</p>' });
    expect(parsed.text).to.equal('Привет\n');
    expect(parsed.html).to.equal('<p>Привет, <b>мир</b> =_ --</p>');
    expect(parsed.headers.get('content-type')).to.deep.include({ value: 'multipart/alternative' });
  });

  it('when the domain is internationalized, then header and envelope carry it in punycode', async () => {
    const { text, rendered } = await read({ to: { name: 'Анна', address: 'anna@пример.рф' } });
    expect(text).to.match(/\r\nTo: =\?UTF-8\?B\?[^?]+\?= <anna@xn--e1afmkfd\.xn--p1ai>\r\n/);
    expect(rendered.envelope.to).to.deep.equal(['anna@xn--e1afmkfd.xn--p1ai']);
    expect(rendered.needsSmtpUtf8).to.equal(false);
  });

  it('when the local part is not ASCII, then the message says it needs SMTPUTF8', () => {
    expect(renderEmail({ ...base, to: { name: '', address: 'анна@example.test' } }).needsSmtpUtf8).to.equal(true);
  });
});
