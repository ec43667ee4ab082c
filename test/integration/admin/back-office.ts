// The back office driven over HTTP, for its test files: one app per file (AdminJS is built once), staff signed in
// at /admin by browser-like agents that say where they come from, and AdminJS's JSON answers.
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { Language, User, UserRole } from '../../../src/db/models/index.js';
import { FACTORY_PASSWORD, makeUser } from '../../support/factories.js';
import { scratchFolder } from '../../support/hooks.js';
import { testSite } from '../../support/web.js';

export const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);
export const API = '/admin/api/resources';
/** The site's address in these tests (APP_URL): the back office's own pages send it as their Origin. */
export const ORIGIN = 'http://mailer.test';

export interface RecordJson {
  id: string;
  params: Record<string, unknown>;
  errors: Record<string, { message: string }>;
  populated?: Record<string, { params: Record<string, unknown> } | null>;
}

export interface ActionJson {
  record?: RecordJson;
  records?: RecordJson[];
  notice?: { message: string; type: string };
  redirectUrl?: string;
}

/** A signed-in staff member: their agent, their account, and the session cookie alone (to replay elsewhere). */
export interface Staff {
  agent: TestAgent;
  user: User;
  cookie: string;
}

/** A browser-like agent of our own pages: every request says where it comes from, as a browser's would. */
export function ourAgent(app: Express): TestAgent {
  return request.agent(app).set('Origin', ORIGIN);
}

/** AdminJS's answer to an action. */
export function body(res: request.Response): ActionJson {
  return res.body as ActionJson;
}

async function signIn(app: Express, role: UserRole, language: Language = 'en'): Promise<Staff> {
  const user = await makeUser({ role });
  if (language !== user.language) await user.update({ language });
  const agent = ourAgent(app);
  const login = await agent
    .post('/admin/login')
    .type('form')
    .send({ email: user.email, password: FACTORY_PASSWORD })
    .expect(302)
    .expect('Location', '/admin');
  const setCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
  const cookie = setCookie.map((line) => line.split(';')[0]).join('; ');
  return { agent, user, cookie };
}

export interface BackOffice {
  readonly app: Express;
  readonly uploadDir: string;
  /** A new account of the role (English unless told), signed in to the back office. */
  readonly staff: (role: UserRole, language?: Language) => Promise<Staff>;
}

/** The file's app, made in the first test's hook (after the root hooks ran) with its own upload folder. */
export function backOffice(): BackOffice {
  let site: { app: Express; uploadDir: string } | undefined;
  beforeEach(() => {
    if (site) return;
    const uploadDir = scratchFolder('uploads');
    site = { app: testSite({ uploadDir, appUrl: ORIGIN }).app, uploadDir };
  });
  const made = () => {
    if (!site) throw new Error('the back office is made in a beforeEach hook');
    return site;
  };
  return {
    get app() {
      return made().app;
    },
    get uploadDir() {
      return made().uploadDir;
    },
    staff: (role, language) => signIn(made().app, role, language),
  };
}
