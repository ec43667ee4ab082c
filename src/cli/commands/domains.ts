// `mailer domains`: sending domains from the command line: list, add, the DNS records to publish, a check.
import type { Command } from 'commander';
import { normaliseEmail, User } from '../../db/models/index.js';
import { zoneLine } from '../../domains/dns-records.js';
import { AppError, ValidationError } from '../../errors.js';
import { translator } from '../../i18n/i18n.js';
import { say, withDatabase } from '../context.js';

/**
 * The domain service and form, loaded when a domains subcommand runs: every command module is loaded for every
 * command, and the DNS check (mailauth) and the form would cost `send` and `daemon` ~40 MB.
 */
async function domainModules() {
  const [service, form] = await Promise.all([
    import('../../domains/domains.service.js'),
    import('../../domains/domain.form.js'),
  ]);
  return { ...service, ...form };
}

/** A field error as the one English line the CLI prints. */
function explained(error: unknown, what: string): unknown {
  if (!(error instanceof ValidationError)) return error;
  const t = translator('en');
  const reasons = Object.values(error.fieldErrors).map((key) => t(key));
  return new AppError(`${what}: ${reasons.join('; ')}`);
}

/** Registers the domains command and its subcommands. */
export function registerDomains(program: Command): void {
  const domains = program.command('domains').description('sending domains: DKIM keys, DNS records, checks');
  registerList(domains);
  registerAdd(domains);
  registerDnsAndCheck(domains);
}

function registerList(domains: Command): void {
  domains
    .command('list')
    .description('list the sending domains and whether each is verified')
    .action(() =>
      withDatabase(async () => {
        const { listDomains } = await domainModules();
        const all = await listDomains('cli');
        if (all.length === 0) return say('no sending domains');
        say(['domain', 'owner', 'selector', 'state', 'checked (UTC)'].join('\t'));
        const owners = new Map((await User.findAll({ attributes: ['id', 'email'] })).map((u) => [u.id, u.email]));
        for (const d of all)
          say(
            [
              d.name,
              d.ownerId === null ? '(everyone)' : (owners.get(d.ownerId) ?? d.ownerId),
              d.dkimSelector,
              d.verifiedAt ? 'verified' : 'not verified',
              d.checkedAt ? d.checkedAt.toISOString().slice(0, 16).replace('T', ' ') : '-',
            ].join('\t'),
          );
      }),
    );
}

function registerAdd(domains: Command): void {
  domains
    .command('add <domain>')
    .description('add a sending domain with a new DKIM key (for everyone unless --owner)')
    .option('--owner <email>', 'the account the domain belongs to')
    .option('--ed25519', 'also make an Ed25519 key beside the RSA one')
    .action((name: string, options: { owner?: string; ed25519?: boolean }) =>
      withDatabase(async ({ config }) => {
        const { addDomain, domainForm, domainRecords } = await domainModules();
        const parsed = domainForm.safeParse({ name, ed25519: options.ed25519 === true });
        if (!parsed.success) throw new AppError(`"${name}" is not a domain name mail can be sent from`);
        let ownerId: number | null = null;
        if (options.owner !== undefined) {
          const owner = await User.findOne({ where: { email: normaliseEmail(options.owner) } });
          if (!owner) throw new AppError(`No user with the e-mail ${options.owner}`);
          ownerId = owner.id;
        }
        const domain = await addDomain('cli', parsed.data, config.senders, ownerId).catch((error: unknown) => {
          throw explained(error, `Cannot add ${parsed.data.name}`);
        });
        say(
          `added ${domain.name} (selector ${domain.dkimSelector}); publish these records, then run: mailer domains check ${domain.name}`,
        );
        for (const record of domainRecords(domain, config.senders)) say(zoneLine(record));
      }),
    );
}

function registerDnsAndCheck(domains: Command): void {
  domains
    .command('dns <domain>')
    .description('print the DNS records to publish, as zone-file lines')
    .action((name: string) =>
      withDatabase(async ({ config }) => {
        const { domainRecords, findDomainByName } = await domainModules();
        const domain = await findDomainByName('cli', name);
        for (const record of domainRecords(domain, config.senders)) say(zoneLine(record));
      }),
    );
  domains
    .command('check <domain>')
    .description('look up the published SPF, DKIM and DMARC records; exits 1 unless DKIM verifies')
    .action((name: string) =>
      withDatabase(async ({ config }) => {
        const { checkDomain, findDomainByName } = await domainModules();
        const domain = await findDomainByName('cli', name);
        const result = await checkDomain('cli', domain.id, config.senders);
        for (const record of result.records) {
          const found = record.found === null ? '' : ` (found: ${record.found})`;
          say(`${record.kind}\t${record.name}\t${record.state}${record.detail ? `: ${record.detail}` : ''}${found}`);
        }
        say(result.verified ? `${domain.name} is verified` : `${domain.name} is not verified`);
        if (!result.verified) process.exitCode = 1;
      }),
    );
}
