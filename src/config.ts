// The environment, read once into one typed and validated object.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { z } from 'zod';
import cronParser from 'cron-parser';
import { loadBounceSettings, type BounceSettings } from './bounce-config.js';
import { type SenderSettings, senderSettingsOf } from './sender-settings.js';
import { OperationsSettingError, readOperationsSettings, type OperationsSettings } from './operations-settings.js';

/**
 * The project's root folder (the one holding package.json), so relative defaults do not depend on the caller's
 * cwd; the same whether this file runs from src/ (tsx) or from its build/ copy.
 */
export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(dir: string): string {
  if (existsSync(path.join(dir, 'package.json'))) return dir;
  const parent = path.dirname(dir);
  if (parent === dir) throw new Error('package.json not found above the mailer sources');
  return findProjectRoot(parent);
}

export type DatabaseTarget = { dialect: 'sqlite'; storage: string; url: string } | { dialect: 'postgres'; url: string };

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  isProduction: boolean;
  database: DatabaseTarget;
  port: number;
  appUrl: string;
  sessionSecret: string;
  memcachedServers: string[];
  smtpUrl: string | null;
  outboxDir: string;
  uploadDir: string;
  mailFrom: string;
  timeZone: string;
  schedulerEnabled: boolean;
  cacheEnabled: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  delivery: DeliverySettings;
  mailForms: MailFormLimits;
  loginLimits: LoginLimits;
  bounces: BounceSettings;
  senders: SenderSettings;
  /** /metrics access and the trusted proxies (operations-settings.ts). */
  operations: OperationsSettings;
  /** How old a running import's heartbeat may grow before it is taken as dead (its process stopped) and failed. */
  clientImportStaleSeconds: number;
}

/** The delivery engine's knobs (see the README table). */
export interface DeliverySettings {
  poolSize: number;
  ratePerSecond: number;
  maxAttempts: number;
  backoffBaseMs: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
  outageThreshold: number;
  outagePauseMs: number;
  leaseMs: number;
  batchSize: number;
  reconcileCron: string;
}

/** How often the account forms may send e-mail (src/accounts/mail-throttle.ts). */
export interface MailFormLimits {
  /** Seconds between two e-mails to one address. */
  addressCooldownSeconds: number;
  /** E-mails to one address per hour. */
  addressPerHour: number;
  /** E-mails asked for from one IP address per hour. */
  ipPerHour: number;
}

/** How many failed logins are let through (src/accounts/login-limiter.ts), counted for every web process together. */
export interface LoginLimits {
  /** Failures per account in a window. */
  perAccount: number;
  /** Failures per IP address in a window. */
  perIp: number;
  /** The window's length; once a limit is reached, attempts wait for its end. */
  windowSeconds: number;
}

/** A configuration problem; its message is one line that names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

const DEV_SESSION_SECRET = 'development-only-session-secret-change-me';

/** True when the name is an IANA time zone this Node build knows. */
export function isValidTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** True when node-schedule accepts the cron expression (5 fields, or 6 with seconds first). */
function isValidCron(expression: string): boolean {
  try {
    cronParser.parseExpression(expression);
    return expression.trim().split(/\s+/).length >= 5;
  } catch {
    return false;
  }
}

/** Turns a DATABASE_URL into the dialect and connection details, or says what is wrong. */
export function parseDatabaseUrl(value: string, root = PROJECT_ROOT): DatabaseTarget {
  if (/^postgres(ql)?:\/\/[^/]+\/[^/?#]+/.test(value)) {
    return { dialect: 'postgres', url: value };
  }
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/.exec(value);
  if (sqlite) {
    const file = sqlite[1] as string;
    const storage = file === ':memory:' ? file : path.resolve(root, file);
    return { dialect: 'sqlite', storage, url: value };
  }
  throw new ConfigError(
    'DATABASE_URL',
    `must be "sqlite:<file>" or "postgres://user@host:port/database" (got "${value}")`,
  );
}

const onOff = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'], { error: 'must be on or off' }))
  .transform((v) => ['on', 'true', '1', 'yes'].includes(v));

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], {
    error: 'must be development, production or test',
  }),
  DATABASE_URL: z.string().min(1, 'must not be empty'),
  PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535'),
  APP_URL: z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http:// or https:// URL'),
  SESSION_SECRET: z.string(),
  MEMCACHED_SERVERS: z.string().regex(/^$|^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, 'must be empty or host:port[,host:port…]'),
  SMTP_URL: z.string().regex(/^$|^smtps?:\/\/[^\s]+$/, 'must be empty or an smtp:// or smtps:// URL'),
  OUTBOX_DIR: z.string().min(1, 'must not be empty'),
  UPLOAD_DIR: z.string().min(1, 'must not be empty'),
  MAIL_FROM: z
    .string()
    .regex(
      /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/,
      'must be an e-mail address, optionally "Name <address>"',
    ),
  TIME_ZONE: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
  SCHEDULER: onOff,
  CACHE: onOff,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'must be one of fatal, error, warn, info, debug, trace, silent',
  }),
  SMTP_POOL_SIZE: wholeNumber(1, 100),
  SMTP_RATE_PER_SECOND: wholeNumber(0, 100_000),
  DELIVERY_MAX_ATTEMPTS: wholeNumber(1, 50),
  DELIVERY_BACKOFF_BASE_MS: wholeNumber(10, 86_400_000),
  SMTP_CONNECTION_TIMEOUT_MS: wholeNumber(100, 600_000),
  SMTP_GREETING_TIMEOUT_MS: wholeNumber(100, 600_000),
  SMTP_SOCKET_TIMEOUT_MS: wholeNumber(100, 3_600_000),
  SMTP_OUTAGE_THRESHOLD: wholeNumber(1, 10_000),
  SMTP_OUTAGE_PAUSE_MS: wholeNumber(100, 86_400_000),
  DELIVERY_LEASE_MS: wholeNumber(1_000, 3_600_000),
  DELIVERY_BATCH_SIZE: wholeNumber(1, 10_000),
  SCHEDULER_RECONCILE_CRON: z.string().refine(isValidCron, 'must be a cron expression such as "*/30 * * * * *"'),
  MAIL_FORM_COOLDOWN_SECONDS: wholeNumber(0, 86_400),
  MAIL_FORM_PER_ADDRESS_PER_HOUR: wholeNumber(1, 1_000_000),
  MAIL_FORM_PER_IP_PER_HOUR: wholeNumber(1, 1_000_000),
  LOGIN_FAILURES_PER_ACCOUNT: wholeNumber(1, 1_000),
  LOGIN_FAILURES_PER_IP: wholeNumber(1, 1_000_000),
  LOGIN_FAILURE_WINDOW_SECONDS: wholeNumber(1, 86_400),
  CLIENT_IMPORT_STALE_SECONDS: wholeNumber(2, 86_400),
});

type RawEnv = Record<string, string | undefined>;

function defaultsFor(env: RawEnv): Record<keyof z.input<typeof schema>, string> {
  const port = env.PORT ?? '3000';
  return {
    NODE_ENV: 'development',
    DATABASE_URL: 'sqlite:var/mailer.sqlite',
    PORT: port,
    APP_URL: `http://localhost:${port}`,
    SESSION_SECRET: '',
    MEMCACHED_SERVERS: '',
    SMTP_URL: '',
    OUTBOX_DIR: 'var/outbox',
    UPLOAD_DIR: 'var/uploads',
    MAIL_FROM: 'Mailer <no-reply@localhost>',
    TIME_ZONE: 'UTC',
    SCHEDULER: 'on',
    CACHE: 'on',
    LOG_LEVEL: 'info',
    SMTP_POOL_SIZE: '5',
    SMTP_RATE_PER_SECOND: '0',
    DELIVERY_MAX_ATTEMPTS: '5',
    DELIVERY_BACKOFF_BASE_MS: '30000',
    SMTP_CONNECTION_TIMEOUT_MS: '10000',
    SMTP_GREETING_TIMEOUT_MS: '10000',
    SMTP_SOCKET_TIMEOUT_MS: '30000',
    SMTP_OUTAGE_THRESHOLD: '5',
    SMTP_OUTAGE_PAUSE_MS: '60000',
    DELIVERY_LEASE_MS: '60000',
    DELIVERY_BATCH_SIZE: '100',
    SCHEDULER_RECONCILE_CRON: '*/30 * * * * *',
    MAIL_FORM_COOLDOWN_SECONDS: '60',
    MAIL_FORM_PER_ADDRESS_PER_HOUR: '5',
    MAIL_FORM_PER_IP_PER_HOUR: '20',
    LOGIN_FAILURES_PER_ACCOUNT: '5',
    LOGIN_FAILURES_PER_IP: '30',
    LOGIN_FAILURE_WINDOW_SECONDS: '900',
    CLIENT_IMPORT_STALE_SECONDS: '60',
  };
}

/** The environment's variables with defaults filled in, checked against the schema (ConfigError names the first bad one). */
function parseVariables(env: RawEnv): z.infer<typeof schema> {
  const defaults = defaultsFor(env);
  const raw: Record<string, string> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const given = env[key];
    raw[key] = given === undefined || (given === '' && fallback !== '') ? fallback : given;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(variable, `${issue?.message ?? 'is invalid'} (got "${raw[variable] ?? ''}")`);
  }
  return parsed.data;
}

/** Builds the config from an environment map; throws ConfigError naming the first bad variable. */
export function loadConfig(env: RawEnv = process.env, root = PROJECT_ROOT): Config {
  const v = parseVariables(env);
  const isProduction = v.NODE_ENV === 'production';
  if (isProduction && v.SESSION_SECRET.length < 32) {
    throw new ConfigError('SESSION_SECRET', 'must be set to at least 32 characters when NODE_ENV=production');
  }
  const senders = senderSettingsOf(env, isProduction, v.SESSION_SECRET || DEV_SESSION_SECRET);
  if ('variable' in senders) throw new ConfigError(senders.variable, senders.message);
  return {
    operations: operationsOf(env, v.PORT),
    nodeEnv: v.NODE_ENV,
    isProduction,
    database: parseDatabaseUrl(v.DATABASE_URL, root),
    port: v.PORT,
    appUrl: v.APP_URL.replace(/\/+$/, ''),
    sessionSecret: v.SESSION_SECRET || DEV_SESSION_SECRET,
    memcachedServers: v.MEMCACHED_SERVERS ? v.MEMCACHED_SERVERS.split(',') : [],
    smtpUrl: v.SMTP_URL || null,
    outboxDir: path.resolve(root, v.OUTBOX_DIR),
    uploadDir: path.resolve(root, v.UPLOAD_DIR),
    mailFrom: v.MAIL_FROM,
    timeZone: v.TIME_ZONE,
    schedulerEnabled: v.SCHEDULER,
    cacheEnabled: v.CACHE,
    logLevel: v.LOG_LEVEL,
    delivery: {
      poolSize: v.SMTP_POOL_SIZE,
      ratePerSecond: v.SMTP_RATE_PER_SECOND,
      maxAttempts: v.DELIVERY_MAX_ATTEMPTS,
      backoffBaseMs: v.DELIVERY_BACKOFF_BASE_MS,
      connectionTimeoutMs: v.SMTP_CONNECTION_TIMEOUT_MS,
      greetingTimeoutMs: v.SMTP_GREETING_TIMEOUT_MS,
      socketTimeoutMs: v.SMTP_SOCKET_TIMEOUT_MS,
      outageThreshold: v.SMTP_OUTAGE_THRESHOLD,
      outagePauseMs: v.SMTP_OUTAGE_PAUSE_MS,
      leaseMs: v.DELIVERY_LEASE_MS,
      batchSize: v.DELIVERY_BATCH_SIZE,
      reconcileCron: v.SCHEDULER_RECONCILE_CRON,
    },
    mailForms: {
      addressCooldownSeconds: v.MAIL_FORM_COOLDOWN_SECONDS,
      addressPerHour: v.MAIL_FORM_PER_ADDRESS_PER_HOUR,
      ipPerHour: v.MAIL_FORM_PER_IP_PER_HOUR,
    },
    loginLimits: {
      perAccount: v.LOGIN_FAILURES_PER_ACCOUNT,
      perIp: v.LOGIN_FAILURES_PER_IP,
      windowSeconds: v.LOGIN_FAILURE_WINDOW_SECONDS,
    },
    bounces: loadBounceSettings(env, isProduction, v.SESSION_SECRET || DEV_SESSION_SECRET, (name, detail) => {
      throw new ConfigError(name, detail);
    }),
    senders: senders.settings,
    clientImportStaleSeconds: v.CLIENT_IMPORT_STALE_SECONDS,
  };
}

function operationsOf(env: RawEnv, port: number): OperationsSettings {
  try {
    return readOperationsSettings(env, port);
  } catch (error) {
    if (error instanceof OperationsSettingError)
      // A token is a secret: never echoed.
      throw new ConfigError(
        error.variable,
        error.variable === 'METRICS_TOKEN' ? error.message : `${error.message} (got "${env[error.variable] ?? ''}")`,
      );
    throw error;
  }
}

/** Reads `.env` in the project root (without overriding the real environment), then the config. */
export function readConfig(root = PROJECT_ROOT): Config {
  const envFile = path.join(root, '.env');
  if (existsSync(envFile)) dotenv.config({ path: envFile, quiet: true });
  return loadConfig(process.env, root);
}
