// The SES webhook (`POST /webhooks/ses`): SNS posts subscription confirmations and notifications for the topics
// SES_SNS_TOPIC_ARNS names. Each is checked in order: its form, its topic (one we configured, so that no
// certificate is fetched for anybody else's), its signature; then a subscription is confirmed by GETting its
// SubscribeURL (an SNS address only, through the same fetcher), an unsubscription is noted, and a notification's
// bounces and complaints are recorded (provider-reports.ts).
import type { Sequelize } from 'sequelize';
import type { BounceSettings } from '../bounce-config.js';
import { recordProviderReport } from './provider-reports.js';
import { readSesNotification } from './ses-notification.js';
import { snsUrl } from './sns-certificates.js';
import { snsFetcher } from './sns-fetcher.js';
import { parseSnsMessage, verifySnsMessage, type SnsMessage } from './sns-message.js';
import { refused, taken, type WebhookAnswer } from './webhook-answer.js';

async function confirmSubscription(message: SnsMessage): Promise<WebhookAnswer> {
  const url = snsUrl(message.SubscribeURL ?? '');
  if (!url) return refused(403, 'bad_subscribe_url', { topic: message.TopicArn });
  const confirmed = await snsFetcher()(url).then(
    () => true,
    () => false,
  );
  return confirmed
    ? taken('subscribed', { topic: message.TopicArn })
    : refused(503, 'confirmation_failed', { topic: message.TopicArn });
}

async function recordNotification(
  sequelize: Sequelize,
  message: SnsMessage,
  settings: BounceSettings,
): Promise<WebhookAnswer> {
  const reading = readSesNotification(message.Message);
  if (reading.kind === 'malformed') return refused(400, 'malformed_notification', { messageId: message.MessageId });
  if (reading.kind === 'unknown') return refused(400, 'unknown_notification', { type: reading.type });
  if (reading.kind === 'ignored') return taken('ignored', { type: reading.type });
  const outcomes: string[] = [];
  for (const report of reading.reports) outcomes.push(await recordProviderReport(sequelize, report, 'ses', settings));
  return taken('recorded', { type: reading.type, outcomes, messageId: message.MessageId });
}

/** Answers one call to the SES webhook (which exists only with topics configured). */
export async function handleSnsCall(
  sequelize: Sequelize,
  body: string,
  messageTypeHeader: string | undefined,
  settings: BounceSettings,
): Promise<WebhookAnswer> {
  const message = parseSnsMessage(body);
  if (!message) return refused(400, 'malformed');
  if (messageTypeHeader !== undefined && messageTypeHeader !== message.Type)
    return refused(400, 'type_mismatch', { header: messageTypeHeader.slice(0, 40) });
  if (!settings.snsTopics.includes(message.TopicArn))
    return refused(403, 'unknown_topic', { topic: message.TopicArn.slice(0, 300) });
  const verdict = await verifySnsMessage(message);
  if (verdict === 'cert_unavailable') return refused(503, verdict, { url: message.SigningCertURL });
  if (verdict !== 'ok') return refused(403, verdict, { url: message.SigningCertURL.slice(0, 300) });
  if (message.Type === 'SubscriptionConfirmation') return confirmSubscription(message);
  if (message.Type === 'UnsubscribeConfirmation') return taken('unsubscribed', { topic: message.TopicArn });
  return recordNotification(sequelize, message, settings);
}
