import { closedError, LangfuseCostError } from '../errors.js';
import type { BudgetLevel } from '../tracker/budgets.js';
import type { AlertChannel } from './channel.js';
import {
  type AlertDispatcher,
  type AlertDispatcherOptions,
  attachAlerts,
  type BudgetAlertSource,
} from './dispatcher.js';
import { emailChannel, type SmtpOptions, smtpOptionsFromUrl } from './email.js';
import { envReader } from './env-reader.js';
import { slackChannel } from './slack.js';
import { webhookChannel } from './webhook.js';

/**
 * Environment variables read by {@link alertOptionsFromEnv}. A channel is on when its URL (or, for
 * email, recipients and SMTP URL) is set.
 *
 * | Variable | Meaning |
 * |---|---|
 * | `LANGFUSE_COST_ALERT_WEBHOOK_URL` | POST each alert as JSON here |
 * | `LANGFUSE_COST_ALERT_WEBHOOK_SECRET` | sign webhook bodies: `x-langfuse-cost-signature: sha256=<HMAC>` |
 * | `LANGFUSE_COST_ALERT_SLACK_WEBHOOK_URL` | Slack incoming-webhook URL |
 * | `LANGFUSE_COST_ALERT_EMAIL_TO` | recipients, comma-separated |
 * | `LANGFUSE_COST_ALERT_EMAIL_FROM` | sender (required with `EMAIL_TO`) |
 * | `LANGFUSE_COST_ALERT_SMTP_URL` | `smtp://host:587` or `smtps://host:465` (user and password may be in it) |
 * | `LANGFUSE_COST_ALERT_SMTP_USER` | SMTP user (instead of the URL's) |
 * | `LANGFUSE_COST_ALERT_SMTP_PASSWORD` | SMTP password (instead of the URL's; need not be URL-encoded) |
 * | `LANGFUSE_COST_ALERT_LEVELS` | levels delivered, comma-separated (default `warning,critical,exceeded`) |
 * | `LANGFUSE_COST_ALERT_SOURCE` | name of this replica or service, sent with each alert |
 * | `LANGFUSE_COST_ALERT_TIMEOUT_MS` | time per attempt (default 5000) |
 * | `LANGFUSE_COST_ALERT_MAX_ATTEMPTS` | attempts per alert and channel (default 5) |
 * | `LANGFUSE_COST_ALERT_QUEUE_SIZE` | alerts waiting per channel (default 100) |
 */
export const ALERT_ENV_VARS = [
  'LANGFUSE_COST_ALERT_WEBHOOK_URL',
  'LANGFUSE_COST_ALERT_WEBHOOK_SECRET',
  'LANGFUSE_COST_ALERT_SLACK_WEBHOOK_URL',
  'LANGFUSE_COST_ALERT_EMAIL_TO',
  'LANGFUSE_COST_ALERT_EMAIL_FROM',
  'LANGFUSE_COST_ALERT_SMTP_URL',
  'LANGFUSE_COST_ALERT_SMTP_USER',
  'LANGFUSE_COST_ALERT_SMTP_PASSWORD',
  'LANGFUSE_COST_ALERT_LEVELS',
  'LANGFUSE_COST_ALERT_SOURCE',
  'LANGFUSE_COST_ALERT_TIMEOUT_MS',
  'LANGFUSE_COST_ALERT_MAX_ATTEMPTS',
  'LANGFUSE_COST_ALERT_QUEUE_SIZE',
] as const;

/** Options of {@link alertOptionsFromEnv}. */
export interface AlertEnvOptions {
  /** Throw on a bad value instead of warning and ignoring it (default false). */
  strict?: boolean;
}

const LEVELS = new Set<string>(['warning', 'critical', 'exceeded']);

/**
 * Dispatcher options from `LANGFUSE_COST_ALERT_*` variables (see {@link ALERT_ENV_VARS}), or null
 * when no channel is configured. Bad values are warned about (never echoing a URL or password) and
 * ignored, or thrown with `strict`.
 * @throws {LangfuseCostError} `INVALID_ENV` in strict mode.
 */
export function alertOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
  options: AlertEnvOptions = {},
): AlertDispatcherOptions | null {
  try {
    const { get, bad, wholeNumber: int } = envReader(env, options.strict);

    const channels: AlertChannel[] = [];
    const add = (name: string, make: () => AlertChannel, expected: string) => {
      try {
        channels.push(make());
      } catch (err) {
        if (err instanceof LangfuseCostError && err.code === 'INVALID_ENV') throw err;
        bad(name, '', expected, false);
      }
    };
    const webhook = get('LANGFUSE_COST_ALERT_WEBHOOK_URL');
    if (webhook !== undefined) {
      const secret = get('LANGFUSE_COST_ALERT_WEBHOOK_SECRET');
      add(
        'LANGFUSE_COST_ALERT_WEBHOOK_URL',
        () => webhookChannel({ url: webhook, ...(secret ? { secret } : {}) }),
        'an http:// or https:// URL',
      );
    }
    const slack = get('LANGFUSE_COST_ALERT_SLACK_WEBHOOK_URL');
    if (slack !== undefined)
      add('LANGFUSE_COST_ALERT_SLACK_WEBHOOK_URL', () => slackChannel({ url: slack }), 'an https:// URL');
    const to = get('LANGFUSE_COST_ALERT_EMAIL_TO');
    if (to !== undefined) {
      const from = get('LANGFUSE_COST_ALERT_EMAIL_FROM');
      const smtpUrl = get('LANGFUSE_COST_ALERT_SMTP_URL');
      if (from === undefined)
        bad(
          'LANGFUSE_COST_ALERT_EMAIL_FROM',
          '',
          'a sender address when LANGFUSE_COST_ALERT_EMAIL_TO is set',
          false,
        );
      else if (smtpUrl === undefined)
        bad(
          'LANGFUSE_COST_ALERT_SMTP_URL',
          '',
          'an smtp:// or smtps:// URL when LANGFUSE_COST_ALERT_EMAIL_TO is set',
          false,
        );
      else {
        let smtp: SmtpOptions | undefined;
        try {
          smtp = smtpOptionsFromUrl(smtpUrl);
        } catch {
          smtp = undefined;
        }
        if (smtp === undefined) {
          bad('LANGFUSE_COST_ALERT_SMTP_URL', '', 'an smtp:// or smtps:// URL', false);
        } else {
          const user = get('LANGFUSE_COST_ALERT_SMTP_USER') ?? smtp.auth?.user;
          const password = env.LANGFUSE_COST_ALERT_SMTP_PASSWORD;
          const pass = password !== undefined && password !== '' ? password : smtp.auth?.pass;
          const { auth: _auth, ...server } = smtp;
          const settings: SmtpOptions = {
            ...server,
            ...(user !== undefined && pass !== undefined ? { auth: { user, pass } } : {}),
          };
          add(
            'LANGFUSE_COST_ALERT_EMAIL_TO',
            () => emailChannel({ to, from, smtp: settings }),
            'comma-separated addresses',
          );
        }
      }
    }
    if (channels.length === 0) return null;

    const out: AlertDispatcherOptions = { channels };
    const levels = get('LANGFUSE_COST_ALERT_LEVELS');
    if (levels !== undefined) {
      const list = levels
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      if (list.length > 0 && list.every((l) => LEVELS.has(l))) out.levels = list as BudgetLevel[];
      else bad('LANGFUSE_COST_ALERT_LEVELS', levels, 'warning, critical and/or exceeded, comma-separated');
    }
    const source = get('LANGFUSE_COST_ALERT_SOURCE');
    if (source !== undefined) out.source = source;
    const timeoutMs = int('LANGFUSE_COST_ALERT_TIMEOUT_MS');
    if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
    const maxAttempts = int('LANGFUSE_COST_ALERT_MAX_ATTEMPTS');
    if (maxAttempts !== undefined) out.maxAttempts = maxAttempts;
    const queueSize = int('LANGFUSE_COST_ALERT_QUEUE_SIZE');
    if (queueSize !== undefined) out.queueSize = queueSize;
    return out;
  } catch (err) {
    throw closedError(err, 'alertOptionsFromEnv');
  }
}

/**
 * Attach the channels configured by `LANGFUSE_COST_ALERT_*` variables to a tracker; null (and
 * nothing attached) when none is configured.
 * @throws {LangfuseCostError} `INVALID_ENV` in strict mode.
 */
export function attachAlertsFromEnv(
  source: BudgetAlertSource,
  env: Record<string, string | undefined> = process.env,
  options: AlertEnvOptions = {},
): AlertDispatcher | null {
  try {
    const o = alertOptionsFromEnv(env, options);
    return o === null ? null : attachAlerts(source, o);
  } catch (err) {
    throw closedError(err, 'attachAlertsFromEnv');
  }
}
