/**
 * `langfuse-cost/fleet`: delivery of budget alerts to a webhook, Slack or email, attached to a
 * `CostTracker` (its `budget` events) and configurable from `LANGFUSE_COST_ALERT_*` variables.
 * Node only (HTTP and SMTP clients). Email needs the optional peer dependency `nodemailer`.
 * @packageDocumentation
 */

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
export { type SlackChannelOptions, slackChannel, slackEscape, slackPayload } from './slack.js';
export {
  ALERT_ID_HEADER,
  SIGNATURE_HEADER,
  type WebhookChannelOptions,
  webhookBody,
  webhookChannel,
} from './webhook.js';
