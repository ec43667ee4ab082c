// The environment's sending-domain settings: the key that encrypts DKIM private keys, the SPF term of our relay.
import { createHash } from 'node:crypto';

export interface SenderSettings {
  /** 32 bytes for AES-256-GCM, derived from DKIM_KEY_SECRET (or, outside production, from the session secret). */
  dkimKeySecret: Buffer;
  /** The SPF term a sending domain publishes for our relay, e.g. `include:_spf.relay.example` or `ip4:203.0.113.7`. */
  spfMechanism: string;
  /** The selector new DKIM keys get a date suffix from, e.g. `mailer` → `mailer202612`. */
  dkimSelectorPrefix: string;
}

export type SenderSettingsResult = { settings: SenderSettings } | { variable: string; message: string };

const SPF_TERM = /^(?:[+~?-]?)(?:include:|a:|mx:|ip4:|ip6:|exists:)[^\s]+$|^(?:[+~?-]?)(?:a|mx)$/i;
const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/i;

/** Reads and checks the variables, so that a bad one stops the start with its name (config.ts throws). */
export function senderSettingsOf(
  env: Record<string, string | undefined>,
  isProduction: boolean,
  sessionSecret: string,
): SenderSettingsResult {
  const secret = env.DKIM_KEY_SECRET ?? '';
  if (secret && secret.length < 32) return { variable: 'DKIM_KEY_SECRET', message: 'must be at least 32 characters' };
  if (!secret && isProduction)
    return { variable: 'DKIM_KEY_SECRET', message: 'must be set (at least 32 characters) when NODE_ENV=production' };
  const spfMechanism = (env.SPF_MECHANISM ?? '').trim() || 'mx';
  if (!SPF_TERM.test(spfMechanism))
    return {
      variable: 'SPF_MECHANISM',
      message: `must be one SPF term such as include:_spf.example.net (got "${spfMechanism}")`,
    };
  const dkimSelectorPrefix = (env.DKIM_SELECTOR ?? '').trim() || 'mailer';
  if (!SELECTOR.test(dkimSelectorPrefix))
    return { variable: 'DKIM_SELECTOR', message: `must be letters, digits and dashes (got "${dkimSelectorPrefix}")` };
  const keyMaterial = secret || `dkim-key-secret:${sessionSecret}`;
  return {
    settings: {
      dkimKeySecret: createHash('sha256').update(keyMaterial).digest(),
      spfMechanism,
      dkimSelectorPrefix,
    },
  };
}
