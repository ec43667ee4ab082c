// The bounce side's environment (BOUNCE_*, the provider webhooks' topics and key), read apart from config.ts so that one
// stays within its size; loadConfig calls it and puts the result in `config.bounces`.
import { z } from 'zod';

/** Where bounces come back and what they do (README, "Bounces and complaints"). */
export interface BounceSettings {
  /** The domain of the VERP envelope senders (`bounces+<delivery>.<mac>@domain`); null: the From address is used. */
  domain: string | null;
  /** The key of the envelope senders' HMAC. */
  secret: string;
  smtpHost: string;
  smtpPort: number;
  /** Whether `serve` runs the inbound bounce listener too. */
  listenInServe: boolean;
  /** Soft bounces in a row after which an address is suppressed. */
  softLimit: number;
  /** A run pauses when its hard-bounce rate passes this (0..1) once `minSample` of its messages were delivered. */
  pauseBounceRate: number;
  /** A run pauses when its complaint rate passes this (0..1) once `complaintMinSample` were delivered. */
  pauseComplaintRate: number;
  minSample: number;
  complaintMinSample: number;
  /** The key Mailgun signs its webhook calls with (HMAC-SHA256); null: `/webhooks/mailgun` does not exist (404). */
  mailgunSigningKey: string | null;
  /** The SNS topics whose messages `/webhooks/ses` accepts and confirms; empty: it does not exist (404). */
  snsTopics: string[];
}

const whole = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);
const rate = z.coerce
  .number({ error: 'must be a fraction from 0 to 1, such as 0.05' })
  .min(0, 'must be a fraction from 0 to 1, such as 0.05')
  .max(1, 'must be a fraction from 0 to 1, such as 0.05');

// arn:<partition>:sns:<region>:<12-digit account>:<topic name> (AWS's topic names: letters, digits, - and _).
const TOPIC_ARN = 'arn:aws(-cn|-us-gov)?:sns:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?';

/** Variables whose value is a secret: a bad one is named, never echoed. */
const SECRETS = new Set(['BOUNCE_SECRET', 'MAILGUN_WEBHOOK_SIGNING_KEY']);

const schema = z.object({
  BOUNCE_DOMAIN: z
    .string()
    .regex(/^$|^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*\.)+[a-z]{2,63}$/i, 'must be empty or a domain name'),
  BOUNCE_SECRET: z.string(),
  BOUNCE_SMTP_HOST: z.string().min(1, 'must not be empty'),
  BOUNCE_SMTP_PORT: whole(0, 65535),
  BOUNCE_LISTENER_IN_SERVE: z.enum(['on', 'off'], { error: 'must be on or off' }),
  BOUNCE_SOFT_LIMIT: whole(1, 1000),
  BOUNCE_PAUSE_RATE: rate,
  COMPLAINT_PAUSE_RATE: rate,
  BOUNCE_PAUSE_MIN_DELIVERIES: whole(1, 10_000_000),
  COMPLAINT_PAUSE_MIN_DELIVERIES: whole(1, 10_000_000),
  MAILGUN_WEBHOOK_SIGNING_KEY: z.string().regex(/^$|^\S{16,200}$/, 'must be empty or the signing key (16+ characters)'),
  SES_SNS_TOPIC_ARNS: z
    .string()
    .regex(
      new RegExp(`^$|^${TOPIC_ARN}(,${TOPIC_ARN})*$`),
      'must be empty or SNS topic ARNs separated by commas (arn:aws:sns:<region>:<account>:<topic>)',
    ),
});

// Gmail's sender guidelines ask bulk senders to keep the spam rate its Postmaster Tools report below 0.3% (and
// aim under 0.1%): a run pauses at 0.3% of complaints, judged only after 1,000 deliveries so that one early
// complaint in a small sample does not stop it. A hard-bounce rate past 5% (after 100) marks a list gone stale.
const DEFAULTS: Record<keyof z.input<typeof schema>, string> = {
  BOUNCE_DOMAIN: '',
  BOUNCE_SECRET: '',
  BOUNCE_SMTP_HOST: '0.0.0.0',
  BOUNCE_SMTP_PORT: '2525',
  BOUNCE_LISTENER_IN_SERVE: 'off',
  BOUNCE_SOFT_LIMIT: '3',
  BOUNCE_PAUSE_RATE: '0.05',
  COMPLAINT_PAUSE_RATE: '0.003',
  BOUNCE_PAUSE_MIN_DELIVERIES: '100',
  COMPLAINT_PAUSE_MIN_DELIVERIES: '1000',
  MAILGUN_WEBHOOK_SIGNING_KEY: '',
  SES_SNS_TOPIC_ARNS: '',
};

/** Reads the bounce variables; calls `fail` (config.ts throws its ConfigError) naming the first bad one. */
export function loadBounceSettings(
  env: Record<string, string | undefined>,
  isProduction: boolean,
  sessionSecret: string,
  fail: (variable: string, detail: string) => never,
): BounceSettings {
  const raw: Record<string, string> = {};
  for (const [key, fallback] of Object.entries(DEFAULTS)) raw[key] = env[key]?.trim() || fallback;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const message = issue?.message ?? 'is invalid';
    fail(variable, SECRETS.has(variable) ? message : `${message} (got "${raw[variable] ?? ''}")`);
  }
  const v = parsed.data;
  if (v.BOUNCE_DOMAIN && isProduction && v.BOUNCE_SECRET.length < 32)
    fail('BOUNCE_SECRET', 'must be set to at least 32 characters when BOUNCE_DOMAIN is set and NODE_ENV=production');
  return {
    domain: v.BOUNCE_DOMAIN ? v.BOUNCE_DOMAIN.toLowerCase() : null,
    secret: v.BOUNCE_SECRET || `bounces:${sessionSecret}`,
    smtpHost: v.BOUNCE_SMTP_HOST,
    smtpPort: v.BOUNCE_SMTP_PORT,
    listenInServe: v.BOUNCE_LISTENER_IN_SERVE === 'on',
    softLimit: v.BOUNCE_SOFT_LIMIT,
    pauseBounceRate: v.BOUNCE_PAUSE_RATE,
    pauseComplaintRate: v.COMPLAINT_PAUSE_RATE,
    minSample: v.BOUNCE_PAUSE_MIN_DELIVERIES,
    complaintMinSample: v.COMPLAINT_PAUSE_MIN_DELIVERIES,
    mailgunSigningKey: v.MAILGUN_WEBHOOK_SIGNING_KEY || null,
    snsTopics: v.SES_SNS_TOPIC_ARNS ? v.SES_SNS_TOPIC_ARNS.split(',') : [],
  };
}
