// The provider webhooks: `POST /webhooks/ses` (Amazon SES through SNS) and `POST /webhooks/mailgun`. They are
// public and carry no CSRF token (a provider has no session): each call is verified by its signature instead,
// which their permission says (`signedCalls`), and they are mounted ahead of the session and the origin check.
// Each exists only when configured (SES_SNS_TOPIC_ARNS, MAILGUN_WEBHOOK_SIGNING_KEY), else it is a 404. Every
// refusal is a 4xx with one word, and a log line saying why.
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { signedCalls } from '../web/middleware/current-user.js';
import { requestLogger } from '../web/middleware/request-context.js';
import { bodyText, rawBody } from '../web/raw-body.js';
import { routeTable } from '../web/route-table.js';
import { handleMailgunCall } from './mailgun-webhook.js';
import { handleSnsCall } from './ses-webhook.js';
import { refused, type WebhookAnswer } from './webhook-answer.js';

export interface WebhookDependencies {
  config: Config;
  sequelize: Sequelize;
  logger: Logger;
}

/** SNS messages are at most 256 KB; Mailgun's events carry headers, not bodies. */
const BODY_LIMIT = '512kb';

/** The webhook routes. */
export function webhookRoutes(deps: WebhookDependencies): Router {
  const body = rawBody(BODY_LIMIT);
  return routeTable([
    ['post', '/webhooks/ses', signedCalls(), body, sesWebhook(deps)],
    ['post', '/webhooks/mailgun', signedCalls(), body, mailgunWebhook(deps)],
  ]);
}

function sesWebhook({ config, sequelize, logger }: WebhookDependencies): RequestHandler {
  const settings = config.bounces;
  return async (req, res) => {
    if (settings.snsTopics.length === 0) return answer(req, res, logger, 'ses', refused(404, 'not_configured'));
    const result = await handleSnsCall(sequelize, bodyText(req.body), req.get('x-amz-sns-message-type'), settings);
    answer(req, res, logger, 'ses', result);
  };
}

function mailgunWebhook({ config, sequelize, logger }: WebhookDependencies): RequestHandler {
  const settings = config.bounces;
  return async (req, res) => {
    const signingKey = settings.mailgunSigningKey;
    if (!signingKey) return answer(req, res, logger, 'mailgun', refused(404, 'not_configured'));
    const result = await handleMailgunCall(sequelize, bodyText(req.body), {
      ...settings,
      mailgunSigningKey: signingKey,
    });
    answer(req, res, logger, 'mailgun', result);
  };
}

/** Sends the answer (one word, never cached) and logs it: a refusal as a warning, with who called. */
function answer(req: Request, res: Response, logger: Logger, provider: string, result: WebhookAnswer): void {
  const log = requestLogger(res, logger);
  const fields = { provider, outcome: result.outcome, status: result.status, ip: req.ip, ...result.detail };
  if (result.status >= 400) log.warn(fields, 'webhook call refused');
  else log.info(fields, 'webhook call taken');
  res.set('Cache-Control', 'no-store').status(result.status).type('text/plain').send(result.outcome);
}
