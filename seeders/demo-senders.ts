// Demo sending domain: a key and an identity for the demo customer, so that demo mailings' e-mails are signed.
import { Mailing, SenderIdentity, SendingDomain, User } from '../src/db/models/index.js';
import { addDomain } from '../src/domains/domains.service.js';
import type { SenderSettings } from '../src/sender-settings.js';

export const DEMO_DOMAIN = 'mail.example.com';

/**
 * Adds the demo domain (marked verified: the demo has no DNS to publish in) and an identity, and lets the demo
 * customer's mailings send as it. Safe to repeat; returns the rows it made.
 */
export async function seedDemoSenders(settings: SenderSettings): Promise<number> {
  const customer = await User.findOne({ where: { role: 'user' }, order: [['id', 'ASC']] });
  if (!customer) return 0;
  let created = 0;
  let domain = await SendingDomain.findOne({ where: { name: DEMO_DOMAIN } });
  if (!domain) {
    domain = await addDomain('cli', { name: DEMO_DOMAIN, ed25519: false }, settings, customer.id);
    await domain.update({ verifiedAt: new Date() });
    created += 1;
  }
  const [identity, made] = await SenderIdentity.findOrCreate({
    where: { ownerId: customer.id, domainId: domain.id },
    defaults: {
      ownerId: customer.id,
      domainId: domain.id,
      displayName: customer.fullName,
      fromAddress: `news@${DEMO_DOMAIN}`,
    },
  });
  if (made) created += 1;
  await Mailing.update({ senderIdentityId: identity.id }, { where: { ownerId: customer.id, senderIdentityId: null } });
  return created;
}
