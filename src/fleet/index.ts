/**
 * `langfuse-cost/fleet`: budgets shared by every replica through Redis (`redisBudgetStore`,
 * configurable from `LANGFUSE_COST_REDIS_*` variables), and delivery of budget alerts to a webhook,
 * Slack or email, attached to a `CostTracker` (its `budget` events) and configurable from
 * `LANGFUSE_COST_ALERT_*` variables. Node only (HTTP, SMTP and Redis clients). The Redis store needs
 * the optional peer dependency `redis`, email `nodemailer`.
 * @packageDocumentation
 */
// Loaded first by every entry, so the whole core is one shared chunk (why: tsup.config.ts).
import '../index.js';

export { type AlertChannel, AlertDeliveryError } from './channel.js';
export {
  type AlertChannelHealth,
  AlertDispatcher,
  type AlertDispatcherHealth,
  type AlertDispatcherOptions,
  attachAlerts,
  type BudgetAlertSource,
} from './dispatcher.js';
export {
  type EmailChannelOptions,
  emailChannel,
  emailContent,
  type MailTransport,
  type SmtpOptions,
  smtpOptionsFromUrl,
} from './email.js';
export { ALERT_ENV_VARS, type AlertEnvOptions, alertOptionsFromEnv, attachAlertsFromEnv } from './env.js';
export { type AlertMessage, alertId, alertText, toAlertMessage } from './message.js';
export {
  BATCH_SCRIPT,
  DEFAULT_REDIS_TIMEOUT_MS,
  MAX_KEY_PICO,
  PERIOD_GRACE_MS,
  type RedisBudgetStore,
  type RedisBudgetStoreHealth,
  type RedisBudgetStoreOptions,
  type RedisCommandClient,
  redisBudgetStore,
} from './redis-budget-store.js';
export {
  REDIS_ENV_VARS,
  type RedisEnvOptions,
  redisBudgetStoreFromEnv,
  redisStoreOptionsFromEnv,
} from './redis-env.js';
export { type SlackChannelOptions, slackChannel, slackEscape, slackPayload } from './slack.js';
export {
  ALERT_ID_HEADER,
  SIGNATURE_HEADER,
  type WebhookChannelOptions,
  webhookBody,
  webhookChannel,
} from './webhook.js';
