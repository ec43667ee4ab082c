// The sending-domains door: domains (add, DNS records, check) and sender identities in the customer's area.
import type { Request, Response, Router } from 'express';
import type { Config } from '../config.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { formAction, type FormSpec, type FormView } from '../web/forms.js';
import { idParam } from '../web/params.js';
import { redirectAfterAction } from '../web/redirects.js';
import { routeTable } from '../web/route-table.js';
import { domainForm, identityForm, type DomainInput, type IdentityInput } from './domain.form.js';
import { addDomain, checkDomain, domainRecords, findDomain, lastCheckOf, listDomains } from './domains.service.js';
import { createIdentity, deleteIdentity, listIdentities } from './identities.service.js';

/** Registers /domains and /identities; sending domains belong to setting up mailings, so mailings:write. */
export function domainRoutes({ config }: { config: Pick<Config, 'senders'> }): Router {
  const write = can('mailings:write');
  const spec = <S extends typeof domainForm | typeof identityForm>(schema: S, form: 'domain' | 'identity') => ({
    schema,
    rerender: (req: Request, res: Response, view: FormView) => listPage(req, res, { [form]: view }),
  });
  const NEW_DOMAIN: FormSpec<typeof domainForm> = spec(domainForm, 'domain');
  const NEW_IDENTITY: FormSpec<typeof identityForm> = spec(identityForm, 'identity');
  return routeTable([
    ['get', '/domains', write, (req, res) => listPage(req, res)],
    ['post', '/domains', write, formAction(NEW_DOMAIN, add(config))],
    ['get', '/domains/:id', write, domainPage(config)],
    ['post', '/domains/:id/check', write, check(config)],
    ['post', '/identities', write, formAction(NEW_IDENTITY, addIdentity)],
    ['post', '/identities/:id/delete', write, removeIdentity],
  ]);
}

const EMPTY: FormView = { values: {}, errors: {} };

async function listPage(
  req: Request,
  res: Response,
  forms: { domain?: FormView; identity?: FormView } = {},
): Promise<void> {
  const user = currentUser(req);
  const [domains, identities] = await Promise.all([listDomains(user), listIdentities(user)]);
  res.render('domains/index', {
    title: req.t('domains.title'),
    domains,
    identities,
    domainForm: forms.domain ?? EMPTY,
    identityForm: forms.identity ?? EMPTY,
  });
}

function add(config: Pick<Config, 'senders'>) {
  return async (req: Request, res: Response, input: DomainInput): Promise<void> => {
    const domain = await addDomain(currentUser(req), input, config.senders);
    redirectAfterAction(req, res, `/domains/${domain.id}`);
  };
}

function domainPage(config: Pick<Config, 'senders'>) {
  return async (req: Request, res: Response): Promise<void> => {
    const domain = await findDomain(currentUser(req), idParam(req));
    res.render('domains/show', {
      title: domain.name,
      domain,
      records: domainRecords(domain, config.senders),
      check: lastCheckOf(domain),
      mayCheck: domain.ownerId !== null || currentUser(req).role === 'admin',
    });
  };
}

function check(config: Pick<Config, 'senders'>) {
  return async (req: Request, res: Response): Promise<void> => {
    const result = await checkDomain(currentUser(req), idParam(req), config.senders);
    flash(
      req,
      result.verified ? 'success' : 'warning',
      req.t(result.verified ? 'domains.verifiedNow' : 'domains.notVerifiedNow'),
    );
    redirectAfterAction(req, res, `/domains/${idParam(req)}`);
  };
}

async function addIdentity(req: Request, res: Response, input: IdentityInput): Promise<void> {
  await createIdentity(currentUser(req), input);
  redirectAfterAction(req, res, '/domains');
}

async function removeIdentity(req: Request, res: Response): Promise<void> {
  await deleteIdentity(currentUser(req), idParam(req));
  redirectAfterAction(req, res, '/domains');
}
