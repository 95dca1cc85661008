import { afterEach, describe, expect, it } from 'vitest';
import { ALERT_ENV_VARS, alertOptionsFromEnv, smtpOptionsFromUrl } from '../../../src/fleet/index.js';
import { getLogger, type Logger, setLogger } from '../../../src/logger.js';
import { memoryLogger } from '../../helpers/fleet-servers.js';

let restore: Logger | undefined;
afterEach(() => {
  if (restore) setLogger(restore);
  restore = undefined;
});
function captureWarnings() {
  const m = memoryLogger();
  restore = getLogger();
  setLogger(m);
  return m.lines;
}

describe('alertOptionsFromEnv', () => {
  it('is null when no channel is configured', () => {
    expect(alertOptionsFromEnv({})).toBeNull();
    expect(alertOptionsFromEnv({ LANGFUSE_COST_ALERT_LEVELS: 'exceeded' })).toBeNull();
  });

  it('reads every documented variable', () => {
    const o = alertOptionsFromEnv({
      LANGFUSE_COST_ALERT_WEBHOOK_URL: 'https://example.com/hook',
      LANGFUSE_COST_ALERT_WEBHOOK_SECRET: 's3cret',
      LANGFUSE_COST_ALERT_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
      LANGFUSE_COST_ALERT_EMAIL_TO: 'a@example.com,b@example.com',
      LANGFUSE_COST_ALERT_EMAIL_FROM: 'c@example.com',
      LANGFUSE_COST_ALERT_SMTP_URL: 'smtps://mail.example.com',
      LANGFUSE_COST_ALERT_SMTP_USER: 'u',
      LANGFUSE_COST_ALERT_SMTP_PASSWORD: 'p',
      LANGFUSE_COST_ALERT_LEVELS: 'critical, EXCEEDED',
      LANGFUSE_COST_ALERT_SOURCE: 'pod-3',
      LANGFUSE_COST_ALERT_TIMEOUT_MS: '2500',
      LANGFUSE_COST_ALERT_MAX_ATTEMPTS: '3',
      LANGFUSE_COST_ALERT_QUEUE_SIZE: '50',
    })!;
    expect(o.channels.map((c) => c.name)).toEqual(['webhook', 'slack', 'email']);
    expect(o).toMatchObject({
      levels: ['critical', 'exceeded'],
      source: 'pod-3',
      timeoutMs: 2500,
      maxAttempts: 3,
      queueSize: 50,
    });
    // The secrets the dispatcher scrubs from its log lines.
    expect(o.channels[0]!.secrets).toContain('s3cret');
    expect(o.channels[1]!.secrets).toContain('/services/T/B/x');
    // Every variable read is in the documented list.
    expect(ALERT_ENV_VARS).toHaveLength(13);
  });

  it('a bad value is warned about without echoing a URL or password, and ignored', () => {
    const lines = captureWarnings();
    const o = alertOptionsFromEnv({
      LANGFUSE_COST_ALERT_WEBHOOK_URL: 'ftp://user:hunter2@example.com',
      LANGFUSE_COST_ALERT_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
      LANGFUSE_COST_ALERT_EMAIL_TO: 'a@example.com',
      LANGFUSE_COST_ALERT_EMAIL_FROM: 'c@example.com',
      LANGFUSE_COST_ALERT_SMTP_URL: 'http://user:hunter3@mail.example.com',
      LANGFUSE_COST_ALERT_TIMEOUT_MS: 'soon',
    })!;
    expect(o.channels.map((c) => c.name)).toEqual(['slack']);
    expect(o.timeoutMs).toBeUndefined();
    const text = lines.map((l) => l.message).join('\n');
    expect(text).toContain('LANGFUSE_COST_ALERT_WEBHOOK_URL is not valid');
    expect(text).toContain('LANGFUSE_COST_ALERT_SMTP_URL is not valid');
    expect(text).toContain('LANGFUSE_COST_ALERT_TIMEOUT_MS="soon" is not valid');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('hunter3');
  });

  it('strict mode throws INVALID_ENV', () => {
    expect(() =>
      alertOptionsFromEnv({ LANGFUSE_COST_ALERT_WEBHOOK_URL: 'not a url' }, { strict: true }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ENV' }));
    expect(() =>
      alertOptionsFromEnv(
        { LANGFUSE_COST_ALERT_SLACK_WEBHOOK_URL: 'https://x.example/a', LANGFUSE_COST_ALERT_LEVELS: 'loud' },
        { strict: true },
      ),
    ).toThrow(/LANGFUSE_COST_ALERT_LEVELS/);
  });
});

describe('smtpOptionsFromUrl', () => {
  it('reads host, port, TLS and the URL-decoded login; refuses other schemes without echoing the URL', () => {
    expect(smtpOptionsFromUrl('smtp://alerts:p%40ss%20word@mail.example.com')).toEqual({
      host: 'mail.example.com',
      port: 587,
      secure: false,
      auth: { user: 'alerts', pass: 'p@ss word' },
    });
    expect(smtpOptionsFromUrl('smtps://[::1]:2465')).toEqual({ host: '::1', port: 2465, secure: true });
    expect(() => smtpOptionsFromUrl('https://u:hunter2@mail.example.com')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.not.stringContaining('hunter2') }),
    );
  });
});
