import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { type AlertChannel, AlertDeliveryError } from './channel.js';
import type { AlertMessage } from './message.js';

/** What the email channel needs of a mail transport: nodemailer's `Transporter` has it. */
export interface MailTransport {
  /** Send one message (nodemailer: resolves with the server's answer). */
  sendMail(mail: {
    from: string;
    to: string[];
    subject: string;
    text: string;
    headers?: Record<string, string>;
  }): Promise<unknown>;
  /** Release pooled connections. */
  close?(): void;
}

/** SMTP server settings, passed to nodemailer's `createTransport`. */
export interface SmtpOptions {
  /** Host name. */
  host: string;
  /** Port (default 587, or 465 with `secure`). */
  port?: number;
  /** TLS from the start (port 465); otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  /** Login. The password is never logged. */
  auth?: { user: string; pass: string };
  /** Skip STARTTLS even when offered (a local relay without TLS). */
  ignoreTLS?: boolean;
}

/** Options of {@link emailChannel}. */
export interface EmailChannelOptions {
  /** Recipients: one address, several, or a comma-separated list. */
  to: string | string[];
  /** Sender address. */
  from: string;
  /**
   * The SMTP server: a URL (`smtp://user:pass@host:587`, `smtps://…:465`; the password is never
   * logged) or {@link SmtpOptions}. Needs the optional peer dependency `nodemailer`, loaded on the
   * first alert. Give `transport` instead to bring your own.
   */
  smtp?: string | SmtpOptions;
  /** A transport of your own (e.g. a nodemailer transporter for SES); wins over `smtp`. */
  transport?: MailTransport;
  /** Subject prefix (default `[langfuse-cost]`). */
  subjectPrefix?: string;
  /**
   * Connection, greeting and socket timeouts given to nodemailer, ms (default 5,000, the dispatcher's
   * default attempt timeout): an attempt the dispatcher gave up on also closes its socket soon after.
   */
  socketTimeoutMs?: number;
  /** Name in logs and health (default `email`). */
  name?: string;
}

/** The subject and text of an alert email. */
export function emailContent(
  message: AlertMessage,
  subjectPrefix = '[langfuse-cost]',
): { subject: string; text: string } {
  try {
    const lines = [
      message.text,
      '',
      `scope:     ${message.scope}`,
      ...(message.key !== undefined ? [`key:       ${message.key}`] : []),
      `level:     ${message.level}`,
      `spent:     ${message.spent} USD`,
      `limit:     ${message.limit} USD`,
      `threshold: ${message.threshold}`,
      `period:    ${message.period}`,
      `time:      ${message.time}`,
      ...(message.recordId !== undefined ? [`record:    ${message.recordId}`] : []),
      ...(message.source !== undefined ? [`source:    ${message.source}`] : []),
      `alert id:  ${message.id}`,
    ];
    // A header line cannot carry a newline (header injection): the text has none, but keys come from users.
    const subject = `${subjectPrefix} ${message.text}`.replace(/[\r\n]+/g, ' ');
    return { subject, text: `${lines.join('\n')}\n` };
  } catch (err) {
    throw closedError(err, 'emailContent');
  }
}

function recipients(to: unknown): string[] {
  const list = (Array.isArray(to) ? to : typeof to === 'string' ? to.split(',') : [])
    .map((s) => (typeof s === 'string' ? s.trim() : ''))
    .filter(Boolean);
  if (list.length === 0)
    throw new InvalidArgumentError(
      'emailChannel(options.to)',
      `expected one or more addresses, got ${describeValue(to)}`,
    );
  return list;
}

/**
 * SMTP settings from a URL: `smtp://user:pass@host:587` (STARTTLS when offered) or
 * `smtps://user:pass@host:465` (TLS from the start); user and password are URL-decoded.
 * @throws {InvalidArgumentError} for anything else (the URL is not echoed: it may hold a password).
 */
export function smtpOptionsFromUrl(url: string): SmtpOptions {
  try {
    let u: URL | undefined;
    try {
      u = new URL(url);
    } catch {
      u = undefined;
    }
    if (u === undefined || (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') || u.hostname === '')
      throw new InvalidArgumentError('smtpOptionsFromUrl(url)', 'expected an smtp:// or smtps:// URL');
    const secure = u.protocol === 'smtps:';
    return {
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port ? Number(u.port) : secure ? 465 : 587,
      secure,
      ...(u.username
        ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
        : {}),
    };
  } catch (err) {
    throw closedError(err, 'smtpOptionsFromUrl');
  }
}

/** Secrets of SMTP settings: the URL's password and the auth password. */
function smtpSecrets(smtp: string | SmtpOptions | undefined): string[] {
  if (smtp === undefined) return [];
  if (typeof smtp === 'string') {
    const out = [smtp];
    try {
      const u = new URL(smtp);
      if (u.password) out.push(u.password, decodeURIComponent(u.password));
    } catch {
      // not a URL: nodemailer will say so, and the whole string is a secret anyway
    }
    return out;
  }
  return smtp.auth?.pass ? [smtp.auth.pass] : [];
}

/** SMTP error → retry or not: 5xx answers and failed logins will not change; the rest may. */
function smtpError(err: unknown): AlertDeliveryError {
  const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const permanent = code === 'EAUTH' || code === 'EENVELOPE' || (status !== undefined && status >= 500);
  const what = [code, status !== undefined ? `SMTP ${status}` : undefined].filter(Boolean).join(' ');
  const msg = typeof e.message === 'string' ? e.message : 'send failed';
  return new AlertDeliveryError(`${what ? `${what}: ` : ''}${msg}`, { retryable: !permanent, cause: err });
}

/**
 * A channel that emails each alert (plain text; subject = the alert's one-line text) through SMTP
 * with `nodemailer` (an optional peer dependency, loaded on the first alert), or through a
 * transport you pass. SMTP 4xx answers, timeouts and connection errors are retried; 5xx answers and
 * failed logins give up at once.
 * @throws {InvalidArgumentError} without recipients, sender, or one of `smtp` and `transport`.
 */
export function emailChannel(options: EmailChannelOptions): AlertChannel {
  try {
    const to = recipients(options?.to);
    if (typeof options.from !== 'string' || options.from.trim() === '')
      throw new InvalidArgumentError(
        'emailChannel(options.from)',
        `expected an address, got ${describeValue(options.from)}`,
      );
    if (options.transport === undefined && options.smtp === undefined)
      throw new InvalidArgumentError(
        'emailChannel(options)',
        'expected `smtp` (a URL or host settings) or `transport`',
      );
    if (typeof options.smtp === 'string') smtpOptionsFromUrl(options.smtp); // fail at setup, not at the first alert
    const from = options.from.trim();
    const timeout = Math.max(1, Math.floor(options.socketTimeoutMs ?? 5_000));
    let transport: Promise<MailTransport> | undefined = options.transport
      ? Promise.resolve(options.transport)
      : undefined;
    const open = (): Promise<MailTransport> => {
      transport ??= import('nodemailer').then(
        (mod) => {
          const nodemailer = ((mod as { default?: unknown }).default ?? mod) as {
            createTransport(o: unknown, defaults?: unknown): MailTransport;
          };
          const timeouts = { connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout };
          // A URL is parsed here: nodemailer's second argument holds message defaults, not timeouts.
          const smtp = typeof options.smtp === 'string' ? smtpOptionsFromUrl(options.smtp) : options.smtp!;
          return nodemailer.createTransport({ ...timeouts, ...smtp });
        },
        (err: unknown) => {
          transport = undefined;
          throw new AlertDeliveryError(
            'the email channel needs the `nodemailer` package: npm install nodemailer',
            { retryable: false, cause: err },
          );
        },
      );
      return transport;
    };
    return {
      name: options.name ?? 'email',
      secrets: smtpSecrets(options.smtp).filter((s) => s.length >= 4),
      async send(message: AlertMessage, signal: AbortSignal): Promise<void> {
        const t = await open();
        const { subject, text } = emailContent(message, options.subjectPrefix);
        const sent = t
          .sendMail({ from, to, subject, text, headers: { 'X-Langfuse-Cost-Alert-Id': message.id } })
          .catch((err: unknown) => {
            throw smtpError(err);
          });
        // nodemailer cannot cancel a send: the attempt ends at the timeout, the socket at socketTimeout.
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(new AlertDeliveryError('timed out', { retryable: true }));
          if (signal.aborted) onAbort();
          signal.addEventListener('abort', onAbort, { once: true });
          sent.then(
            () => {
              signal.removeEventListener('abort', onAbort);
              resolve();
            },
            (err: unknown) => {
              signal.removeEventListener('abort', onAbort);
              reject(err);
            },
          );
        });
      },
      async close(): Promise<void> {
        if (transport === undefined || options.transport !== undefined) return;
        try {
          (await transport).close?.();
        } catch {
          // nothing to release
        }
      },
    };
  } catch (err) {
    throw closedError(err, 'emailChannel');
  }
}
