import { expect } from 'chai';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { Client, Mailing, Message, Post, User } from '../../../src/db/models/index.js';
import { FACTORY_PASSWORD, makeClient, makeMailing, makeMessage, makeUser, unique } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

type Kind = 'line' | 'multiline' | 'date' | 'id';

/** Hostile values by field kind; each is refused (4xx) or taken harmlessly, never a 500. */
const HOSTILE: Record<Kind, { value: string; mustRefuse: boolean }[]> = {
  line: [
    { value: 'a\u0000b', mustRefuse: true },
    { value: 'Ann\r\nBcc: evil@x.test', mustRefuse: true },
    { value: 'bell\u0007', mustRefuse: true },
    { value: 'x'.repeat(100_000), mustRefuse: true },
    { value: '<script>alert(1)</script>"\'&', mustRefuse: false },
  ],
  multiline: [
    { value: 'a\u0000b', mustRefuse: true },
    { value: 'escape\u001b[31m', mustRefuse: true },
    { value: 'y'.repeat(210_000), mustRefuse: true },
    { value: '<img src=x onerror=alert(1)>\n\tindented', mustRefuse: false },
  ],
  date: [
    { value: '0000-01-01T00:00', mustRefuse: true },
    { value: '1969-12-31T23:59', mustRefuse: true },
    { value: '10000-01-01T00:00', mustRefuse: true },
  ],
  id: [
    { value: 'abc', mustRefuse: true },
    { value: '-1', mustRefuse: true },
    { value: '1e9999', mustRefuse: true },
    { value: '99999999999999999999', mustRefuse: true },
  ],
};

interface FormCase {
  name: string;
  path: string;
  valid: Record<string, string>;
  fields: Record<string, Kind>;
  /** What the form writes, read back: it must not change when the form is refused. */
  stored: () => Promise<unknown>;
}

const inHours = (hours: number): string => new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 16);

/** Hostile search and sort parameters of the lists: control characters, wildcards, arrays, objects, SQL. */
const LIST_QUERIES = [
  'q=%00%0d%0a%25_%5C&sort=%00&dir=%00',
  'q=%27%3B%20DROP%20TABLE%20mailings%3B--&sort=name%3B--&dir=asc%20',
  'sort[]=name&sort[]=created&dir[a]=asc&q[]=x',
  'sort=__proto__&dir=constructor&page=1e9999',
  `q=${'я'.repeat(1000)}&sort=${'x'.repeat(1000)}`,
];

describe('every form, given hostile input', function () {
  this.timeout(120_000);
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when each field of each site form gets control characters, huge text, markup, bad dates and ids, then none is a 500 and nothing refused is stored', async () => {
    const owner = await makeUser({ email: `${unique('fuzz')}@example.test` });
    const client = await makeClient(owner);
    const message = await makeMessage(owner);
    const mailing = await makeMailing(owner, { message, clients: [client] });
    const browser = await signedIn(site.app, owner);
    const ownRows = async () =>
      JSON.stringify([
        await Client.findAll({ where: { ownerId: owner.id }, order: [['id', 'ASC']] }),
        await Message.findAll({ where: { ownerId: owner.id }, order: [['id', 'ASC']] }),
        await Mailing.findAll({ where: { ownerId: owner.id }, order: [['id', 'ASC']] }),
        await User.findByPk(owner.id),
      ]);
    const mailingValid = {
      name: 'Fuzzed',
      messageId: String(message.id),
      clientIds: String(client.id),
      startAt: inHours(1),
      endAt: inHours(48),
      periodicity: 'once',
      timeZone: 'UTC',
    };
    const mailingFields: Record<string, Kind> = {
      name: 'line',
      messageId: 'id',
      clientIds: 'id',
      startAt: 'date',
      endAt: 'date',
    };
    const cases: FormCase[] = [
      {
        name: 'new client',
        path: '/clients',
        valid: { email: `${unique('c')}@example.test`, fullName: 'Ann', comment: 'ok' },
        fields: { fullName: 'line', comment: 'multiline' },
        stored: ownRows,
      },
      {
        name: 'client edit',
        path: `/clients/${client.id}`,
        valid: { email: client.email, fullName: 'Ann', comment: 'ok' },
        fields: { fullName: 'line', comment: 'multiline' },
        stored: ownRows,
      },
      {
        name: 'new message',
        path: '/messages',
        valid: { subject: 'Hi', bodyText: 'Text', bodyHtml: '<p>x</p>' },
        fields: { subject: 'line', bodyText: 'multiline', bodyHtml: 'multiline' },
        stored: ownRows,
      },
      {
        name: 'message edit',
        path: `/messages/${message.id}`,
        valid: { subject: 'Hi', bodyText: 'Text', bodyHtml: '' },
        fields: { subject: 'line', bodyText: 'multiline', bodyHtml: 'multiline' },
        stored: ownRows,
      },
      { name: 'new mailing', path: '/mailings', valid: mailingValid, fields: mailingFields, stored: ownRows },
      {
        name: 'mailing edit',
        path: `/mailings/${mailing.id}`,
        valid: mailingValid,
        fields: mailingFields,
        stored: ownRows,
      },
      {
        name: 'profile',
        path: '/profile',
        valid: { fullName: 'Ann', timeZone: 'UTC', language: 'en' },
        fields: { fullName: 'line' },
        stored: ownRows,
      },
    ];
    const problems: string[] = [];
    for (const form of cases) {
      for (const [field, kind] of Object.entries(form.fields)) {
        for (const { value, mustRefuse } of HOSTILE[kind]) {
          const before = await form.stored();
          const res = await browser.post(form.path, { ...form.valid, [field]: value });
          const label = `${form.name}: ${field} = ${JSON.stringify(value.slice(0, 24))}`;
          if (res.status >= 500) problems.push(`${label} → ${res.status}`);
          else if (mustRefuse && res.status < 400) problems.push(`${label} was accepted (${res.status})`);
          else if (res.status >= 400 && (await form.stored()) !== before) problems.push(`${label} stored something`);
        }
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('when a query string or a path id is hostile, then every page answers without a 500', async () => {
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    const problems: string[] = [];
    const paths = [
      ...['abc', '-1', '1e9999', '99999999999999999999', '0x10', '1%00'].flatMap((id) => [
        `/clients/${id}/edit`,
        `/messages/${id}`,
        `/mailings/${id}`,
        `/reports/runs/${id}`,
        `/blog/${id}`,
      ]),
      '/reports?from=0000-01-01&to=9999-12-31',
      '/reports?from=1969-12-31',
      '/reports?to=10000-01-01',
      '/reports?mailing=1e9999&state=%00',
      '/reports/export.csv?from=0000-01-01',
      '/clients?q=%00%0d%0a&page=1e9999',
      '/users?q=%00&page=-1',
      '/mailings?owner=99999999999999999999&status=%00',
      '/blog?page=99999999999999999999',
      ...LIST_QUERIES.flatMap((query) => [`/mailings?${query}`, `/users?${query}`]),
    ];
    for (const path of paths) {
      const res = await manager.agent.get(path);
      if (res.status >= 500) problems.push(`${path} → ${res.status}`);
    }
    // The customer's own lists take the same hostile search and sort.
    const customer = await signedIn(site.app, await makeUser());
    for (const path of LIST_QUERIES.flatMap((query) => [`/mailings?${query}`, `/messages?${query}`])) {
      const res = await customer.agent.get(path);
      if (res.status !== 200) problems.push(`${path} → ${res.status}`);
    }
    const refused = await manager.agent.get('/reports?from=0000-01-01').expect(422);
    expect(refused.text).to.contain('Enter a date between the years 1970 and 9999.');
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('when each back-office form field gets hostile input, then none is a 500 and nothing refused is stored', async () => {
    const admin = await makeUser({ role: 'admin' });
    const agent: TestAgent = request.agent(site.app).set('Origin', 'http://mailer.test');
    await agent.post('/admin/login').type('form').send({ email: admin.email, password: FACTORY_PASSWORD }).expect(302);
    const customer = await makeUser();
    const message = await makeMessage(customer);
    const mailing = await makeMailing(customer, { message, clients: [await makeClient(customer)] });
    const rows = async () =>
      JSON.stringify([
        await Post.count(),
        await User.findByPk(customer.id),
        await Mailing.findByPk(mailing.id),
        await Message.findByPk(message.id),
      ]);
    const api = '/admin/api/resources';
    const cases: { path: string; valid: Record<string, string>; fields: Record<string, Kind> }[] = [
      {
        path: `${api}/posts/actions/new`,
        valid: { title: 'Post', content: 'Text', publishedAt: '' },
        fields: { title: 'line', content: 'multiline', publishedAt: 'date' },
      },
      {
        path: `${api}/users/records/${customer.id}/edit`,
        valid: { fullName: 'Ann', isBlocked: 'true', blockedReason: 'why', emailVerifiedAt: '' },
        fields: { fullName: 'line', blockedReason: 'line', emailVerifiedAt: 'date' },
      },
      {
        path: `${api}/mailings/records/${mailing.id}/edit`,
        valid: { name: 'M', startAt: new Date().toISOString(), endAt: new Date(Date.now() + 864e5).toISOString() },
        fields: { name: 'line', startAt: 'date', endAt: 'date', disabledReason: 'line' },
      },
      {
        path: `${api}/messages/records/${message.id}/edit`,
        valid: { subject: 'S', bodyText: 'T' },
        fields: { subject: 'line', bodyText: 'multiline' },
      },
    ];
    const problems: string[] = [];
    for (const form of cases) {
      for (const [field, kind] of Object.entries(form.fields)) {
        for (const { value, mustRefuse } of HOSTILE[kind]) {
          const before = await rows();
          let call = agent.post(form.path);
          for (const [name, given] of Object.entries({ ...form.valid, [field]: value })) call = call.field(name, given);
          const res = await call;
          const body = res.body as { record?: { errors?: Record<string, unknown> }; notice?: { type?: string } };
          const refused =
            res.status >= 400 || Object.keys(body.record?.errors ?? {}).length > 0 || body.notice?.type === 'error';
          const label = `${form.path}: ${field} = ${JSON.stringify(value.slice(0, 24))}`;
          if (res.status >= 500) problems.push(`${label} → ${res.status}`);
          else if (mustRefuse && !refused) problems.push(`${label} was accepted`);
          else if (refused && (await rows()) !== before) problems.push(`${label} stored something`);
        }
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
