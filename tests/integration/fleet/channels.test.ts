import { createHmac } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ALERT_ID_HEADER,
  type AlertDispatcher,
  attachAlerts,
  attachAlertsFromEnv,
  emailChannel,
  SIGNATURE_HEADER,
  slackChannel,
  webhookChannel,
} from '../../../src/fleet/index.js';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import { CostTracker } from '../../../src/tracker/index.js';
import {
  type Loopback,
  memoryLogger,
  type SmtpLoopback,
  startHttp,
  startSmtp,
} from '../../helpers/fleet-servers.js';

// Price facts of this file: `fleet-model` costs $2.00 per 1M input tokens, so 105,000 input tokens
// cost exactly $0.21. With a $1 daily budget, the 4th call ($0.84) crosses the warning (80%) and the
// 5th ($1.05) the critical (95%) and exceeded (100%) thresholds.
const catalog = PriceCatalog.fromData({
  version: 1,
  models: [{ id: 'fleet-model', provider: 'openai', prices: { input: 2, output: 8 } }],
});
const CALL = calculateCost({ model: 'fleet-model', usage: { input: 105_000 } }, catalog)!;
const NOW = Date.UTC(2026, 11, 4, 12); // the tracker's clock: 2026-12-04 (UTC) whatever the machine's date
const DAY = '2026-12-04';
const IDS = [`daily/-/${DAY}/warning@0.8`, `daily/-/${DAY}/critical@0.95`, `daily/-/${DAY}/exceeded@1`];

/** Headers (folded lines joined, names lowercased) and the body (quoted-printable soft breaks removed). */
function parseMail(raw: string): { headers: Record<string, string>; body: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head!.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: rest.join('\n\n').replace(/=\r?\n/g, '') };
}

function tracker(): CostTracker {
  return new CostTracker({ now: () => NOW, budgets: { daily: 1 } });
}

/** Five $0.21 calls; returns the longest time one `record()` took, ms. */
function spend(t: CostTracker, calls = 5): number {
  let longest = 0;
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    t.record(CALL, { spanId: `call-${i}` });
    longest = Math.max(longest, performance.now() - t0);
  }
  return longest;
}

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});
async function http(...args: Parameters<typeof startHttp>): Promise<Loopback> {
  const s = await startHttp(...args);
  open.push(s);
  return s;
}
async function smtp(...args: Parameters<typeof startSmtp>): Promise<SmtpLoopback> {
  const s = await startSmtp(...args);
  open.push(s);
  return s;
}
function track(d: AlertDispatcher): AlertDispatcher {
  open.push({ close: () => d.close(2_000) });
  return d;
}

describe('webhook and Slack channels against loopback servers', () => {
  it('each crossing is delivered once to each, as JSON with its id (and an HMAC when a secret is set)', async () => {
    expect(CALL.totalPico).toBe(210_000_000_000); // 105,000 × $2 / 1M
    const hook = await http(() => ({ status: 204 }), '/hooks/acme');
    const slack = await http(() => ({ status: 200, body: 'ok' }), '/services/T0/B0/slacktoken123');
    const t = tracker();
    const secret = 'hmac-secret-for-tests';
    const d = track(
      attachAlerts(t, {
        channels: [webhookChannel({ url: hook.url, secret }), slackChannel({ url: slack.url })],
        source: 'replica-1',
        logger: memoryLogger(),
      }),
    );
    spend(t);
    // Nothing is sent inside record(): delivery starts after the caller's code.
    expect(hook.received).toHaveLength(0);
    expect(await d.flush(5_000)).toBe(true);

    expect(hook.received.map((r) => JSON.parse(r.body).id)).toEqual(IDS);
    expect(hook.received.map((r) => r.headers[ALERT_ID_HEADER])).toEqual(IDS);
    for (const r of hook.received) {
      expect(r.path).toBe('/hooks/acme');
      expect(r.headers['content-type']).toBe('application/json');
      const expected = `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`;
      expect(r.headers[SIGNATURE_HEADER]).toBe(expected);
    }
    const bodies = hook.received.map((r) => JSON.parse(r.body));
    // $0.84 after the 4th call, $1.05 after the 5th (both crossings of the 5th call carry its spend).
    expect(bodies.map((b) => [b.level, b.spent, b.limit, b.threshold, b.period, b.scope])).toEqual([
      ['warning', 0.84, 1, 0.8, DAY, 'daily'],
      ['critical', 1.05, 1, 0.95, DAY, 'daily'],
      ['exceeded', 1.05, 1, 1, DAY, 'daily'],
    ]);
    expect(bodies[0]).toMatchObject({
      type: 'budget.alert',
      recordId: 'call-3',
      at: NOW,
      time: '2026-12-04T12:00:00.000Z',
      source: 'replica-1',
      text: 'Budget warning: daily budget spent $0.84 of $1.00 (80% threshold) in 2026-12-04',
    });

    expect(slack.received).toHaveLength(3);
    const payloads = slack.received.map((r) => JSON.parse(r.body));
    expect(payloads.map((p) => p.text)).toEqual([
      ':warning: Budget warning: daily budget spent $0.84 of $1.00 (80% threshold) in 2026-12-04',
      ':rotating_light: Budget critical: daily budget spent $1.05 of $1.00 (95% threshold) in 2026-12-04',
      ':no_entry: Budget exceeded: daily budget spent $1.05 of $1.00 (100% threshold) in 2026-12-04',
    ]);
    expect(payloads[0].blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: payloads[0].text },
    });
    expect(d.health().channels.map((c) => [c.name, c.delivered, c.failedAttempts, c.dropped])).toEqual([
      ['webhook', 3, 0, 0],
      ['slack', 3, 0, 0],
    ]);
  });

  it('a user key is escaped for Slack (no <!channel> ping) and URI-encoded in the id', async () => {
    const slack = await http(() => ({ status: 200, body: 'ok' }));
    const t = new CostTracker({ now: () => NOW, budgets: { perUser: 0.1 } });
    const d = track(attachAlerts(t, { channels: [slackChannel({ url: slack.url })], levels: ['exceeded'] }));
    t.record(CALL, { userId: '<!channel>/a&b' });
    expect(await d.flush(5_000)).toBe(true);
    const p = JSON.parse(slack.received[0]!.body);
    expect(p.text).toContain('user "&lt;!channel&gt;/a&amp;b"');
    expect(p.text).not.toContain('<!channel>');
    expect(p.blocks[1].elements[0].text).toContain('user/%3C!channel%3E%2Fa%26b/2026-12-04/exceeded@1');
    expect(d.health().filtered).toBe(2); // warning and critical were not asked for
  });

  it('a webhook that answers 500 twice is retried with backoff and delivers; one log line, no secret in it', async () => {
    const token = 'T0SECRET/B0SECRET/xyzzyTOKEN42';
    const hook = await http(
      (n) => (n < 2 ? { status: 500, body: 'upstream down' } : { status: 200 }),
      `/services/${token}`,
    );
    const logger = memoryLogger();
    const t = tracker();
    const d = track(
      attachAlerts(t, {
        channels: [slackChannel({ url: hook.url })],
        levels: ['warning'],
        backoffMs: 40,
        failureThreshold: 2,
        random: () => 0.5,
        logger,
      }),
    );
    spend(t);
    expect(await d.flush(5_000)).toBe(true);
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((r) => JSON.parse(r.body).text)).size).toBe(1);
    // Waits of 3/4 of 40 ms then 3/4 of 80 ms (random pinned to 0.5): at least 30 and 60 ms apart.
    const [a, b, c] = hook.received.map((r) => r.at);
    expect(b! - a!).toBeGreaterThanOrEqual(29);
    expect(c! - b!).toBeGreaterThanOrEqual(59);
    expect(d.health().channels[0]).toMatchObject({
      delivered: 1,
      failedAttempts: 2,
      dropped: 0,
      failing: false,
    });
    const lines = logger.lines.map((l) => `${l.level} ${l.message}`);
    expect(lines).toEqual([
      'warn alert channel "slack" keeps failing: 2 attempt(s) in a row failed, last: HTTP 500 upstream down; each alert is tried 5 times, then dropped (one line until it delivers again; counts in health())',
      'info alert channel "slack" delivering again',
    ]);
    for (const l of lines) {
      expect(l).not.toContain('xyzzyTOKEN42');
      expect(l).not.toContain('127.0.0.1');
    }
  });

  it('a receiver that echoes the request in its error body leaks no header value or secret into the log', async () => {
    // A misconfigured proxy answering 502 with what it was sent: headers, path and all.
    let leaky: Loopback | undefined;
    leaky = await http((n) => {
      const r = leaky!.received[n]!;
      return { status: 502, body: `echo ${r.headers.authorization} ${r.headers['x-custom']} ${r.path}` };
    }, '/in/tok3n-in-path');
    const logger = memoryLogger();
    const t = tracker();
    const d = track(
      attachAlerts(t, {
        channels: [
          webhookChannel({
            url: leaky.url,
            headers: { authorization: 'Bearer abcdef123456', 'x-custom': 'hdr-secret-998877' },
            secret: 'sign-secret-556677',
          }),
        ],
        levels: ['warning'],
        maxAttempts: 1,
        logger,
      }),
    );
    spend(t);
    expect(await d.flush(5_000)).toBe(true);
    expect(leaky.received).toHaveLength(1);
    const text = logger.lines.map((l) => l.message).join('\n');
    // The line keeps the status and the shape of the answer, with each secret replaced.
    expect(text).toContain('HTTP 502 echo [REDACTED] [REDACTED] [REDACTED]');
    for (const secret of ['abcdef123456', 'hdr-secret-998877', 'tok3n-in-path'])
      expect(text).not.toContain(secret);
  });

  it('a 404 (revoked Slack webhook) is not retried: dropped with one line', async () => {
    const hook = await http(() => ({ status: 404, body: 'no_service' }));
    const logger = memoryLogger();
    const t = tracker();
    const d = track(attachAlerts(t, { channels: [slackChannel({ url: hook.url })], logger, backoffMs: 1 }));
    spend(t);
    expect(await d.flush(5_000)).toBe(true);
    expect(hook.received).toHaveLength(3); // one attempt per alert
    expect(d.health().channels[0]).toMatchObject({
      delivered: 0,
      failedAttempts: 3,
      dropped: 3,
      failing: true,
    });
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]!.message).toContain('HTTP 404 no_service; this answer will not change on retry');
  });

  it('a hanging webhook: each attempt times out and is retried; record() never waits; the other channel is not delayed', async () => {
    const hang = await http(() => 'hang');
    const ok = await http(() => ({ status: 200 }));
    const logger = memoryLogger();
    const t = tracker();
    const d = track(
      attachAlerts(t, {
        channels: [
          webhookChannel({ url: hang.url, name: 'hanging' }),
          webhookChannel({ url: ok.url, name: 'ok' }),
        ],
        levels: ['warning'],
        timeoutMs: 400,
        maxAttempts: 3,
        backoffMs: 10,
        logger,
      }),
    );
    const longest = spend(t);
    // A record() that waited for a delivery would take at least one timeout (400 ms).
    expect(longest).toBeLessThan(100);
    const t0 = performance.now();
    while (ok.received.length === 0 && performance.now() - t0 < 5_000)
      await new Promise((r) => setTimeout(r, 2));
    expect(ok.received).toHaveLength(1);
    // The healthy channel did not wait for the hanging one: its first attempt had not even timed out.
    expect(d.health().channels[0]!.failedAttempts).toBe(0);
    expect(await d.flush(5_000)).toBe(true);
    expect(hang.received).toHaveLength(3);
    expect(d.health().channels.map((c) => [c.name, c.delivered, c.failedAttempts, c.dropped])).toEqual([
      ['hanging', 0, 3, 1],
      ['ok', 1, 0, 0],
    ]);
    expect(logger.lines.map((l) => l.message)).toEqual([
      'alert channel "hanging" keeps failing: 3 attempt(s) in a row failed, last: timed out; each alert is tried 3 times, then dropped (one line until it delivers again; counts in health())',
    ]);
  });

  it('close() waits at most its timeout, then drops what is left with one line', async () => {
    const hang = await http(() => 'hang');
    const logger = memoryLogger();
    const t = tracker();
    const d = attachAlerts(t, { channels: [webhookChannel({ url: hang.url })], timeoutMs: 10_000, logger });
    spend(t);
    const t0 = performance.now();
    expect(await d.close(200)).toBe(false);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(195);
    expect(took).toBeLessThan(1_000);
    expect(d.health().channels[0]).toMatchObject({ delivered: 0, dropped: 3, pending: 0 });
    expect(logger.lines.map((l) => l.message)).toEqual([
      'alert channel "webhook" closed with 3 undelivered alert(s) after waiting 200 ms',
    ]);
    // Closed: later alerts are refused, record() still works.
    t.record(CALL);
    expect(d.health().refused).toBe(0); // detached: the tracker no longer calls it
  });
});

describe('email channel through real nodemailer to a loopback SMTP server', () => {
  it('delivers each crossing as one email, logged in with user and password', async () => {
    const login = { user: 'alerts', pass: 'smtp-pass-W0rd!' };
    const server = await smtp({ login });
    const t = tracker();
    const d = track(
      attachAlerts(t, {
        channels: [
          emailChannel({
            smtp: { host: '127.0.0.1', port: server.port, secure: false, ignoreTLS: true, auth: login },
            from: 'costs@example.com',
            to: 'ops@example.com, cfo@example.com',
          }),
        ],
        levels: ['warning', 'exceeded'],
      }),
    );
    spend(t);
    expect(await d.flush(10_000)).toBe(true);
    expect(server.mails).toHaveLength(2);
    const [warning, exceeded] = server.mails;
    expect(warning).toMatchObject({
      from: 'costs@example.com',
      to: ['ops@example.com', 'cfo@example.com'],
      user: 'alerts',
    });
    const w = parseMail(warning!.raw);
    expect(w.headers.subject).toBe(
      '[langfuse-cost] Budget warning: daily budget spent $0.84 of $1.00 (80% threshold) in 2026-12-04',
    );
    expect(w.headers['x-langfuse-cost-alert-id']).toBe(IDS[0]);
    expect(w.body).toContain(`alert id:  ${IDS[0]}`);
    expect(w.body).toContain('spent:     0.84 USD');
    expect(parseMail(exceeded!.raw).body).toContain('Budget exceeded: daily budget spent $1.05 of $1.00');
    expect(d.health().channels[0]).toMatchObject({ delivered: 2, failedAttempts: 0 });
  });

  it('an SMTP 451 is retried, a 550 is not; the password never reaches the log', async () => {
    const login = { user: 'alerts', pass: 'smtp-pass-W0rd!' };
    // 1st DATA: 451 (try later); 2nd: accepted; 3rd: 550 (rejected for good).
    const server = await smtp({
      login,
      reject: (n) =>
        n === 0
          ? { code: 451, message: 'try later' }
          : n === 2
            ? { code: 550, message: 'mailbox unavailable' }
            : null,
    });
    const logger = memoryLogger();
    const t = tracker();
    const d = track(
      attachAlerts(t, {
        channels: [
          emailChannel({
            smtp: `smtp://alerts:${encodeURIComponent(login.pass)}@127.0.0.1:${server.port}`,
            from: 'costs@example.com',
            to: ['ops@example.com'],
          }),
        ],
        levels: ['warning', 'critical'],
        backoffMs: 10,
        logger,
      }),
    );
    spend(t);
    expect(await d.flush(10_000)).toBe(true);
    expect(server.attempts).toBe(3);
    expect(server.mails).toHaveLength(1);
    expect(d.health().channels[0]).toMatchObject({ delivered: 1, failedAttempts: 2, dropped: 1 });
    const text = logger.lines.map((l) => l.message).join('\n');
    expect(text).toContain('SMTP 550');
    expect(text).not.toContain(login.pass);
    expect(text).not.toContain(encodeURIComponent(login.pass));
  });
});

describe('email to an SMTP server that never greets', () => {
  it('each attempt times out, flush() returns, and nodemailer closes its sockets', async () => {
    let connections = 0;
    let closed = 0;
    const silent = createServer((socket) => {
      connections++;
      socket.on('close', () => closed++);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise<void>((resolve) => silent.close(() => resolve())) });
    const { port } = silent.address() as AddressInfo;
    const logger = memoryLogger();
    const t = tracker();
    const d = track(
      attachAlerts(t, {
        channels: [
          emailChannel({
            smtp: { host: '127.0.0.1', port, ignoreTLS: true },
            from: 'costs@example.com',
            to: 'ops@example.com',
            socketTimeoutMs: 300,
          }),
        ],
        levels: ['exceeded'],
        timeoutMs: 200,
        maxAttempts: 2,
        backoffMs: 10,
        logger,
      }),
    );
    spend(t);
    expect(await d.flush(5_000)).toBe(true);
    expect(d.health().channels[0]).toMatchObject({ delivered: 0, failedAttempts: 2, dropped: 1 });
    expect(connections).toBe(2);
    // nodemailer's own greeting timeout (300 ms) ends each connection: nothing keeps the host alive.
    const t0 = performance.now();
    while (closed < 2 && performance.now() - t0 < 3_000) await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(2);
  });
});

describe('channels from LANGFUSE_COST_ALERT_* variables', () => {
  it('webhook, Slack and email configured from the environment all deliver', async () => {
    const hook = await http(() => ({ status: 200 }));
    const slack = await http(() => ({ status: 200, body: 'ok' }));
    const server = await smtp({ login: { user: 'u', pass: 'p@ss word' } });
    const t = tracker();
    const d = attachAlertsFromEnv(t, {
      LANGFUSE_COST_ALERT_WEBHOOK_URL: hook.url,
      LANGFUSE_COST_ALERT_SLACK_WEBHOOK_URL: slack.url,
      LANGFUSE_COST_ALERT_EMAIL_TO: 'ops@example.com',
      LANGFUSE_COST_ALERT_EMAIL_FROM: 'costs@example.com',
      LANGFUSE_COST_ALERT_SMTP_URL: `smtp://127.0.0.1:${server.port}`,
      LANGFUSE_COST_ALERT_SMTP_USER: 'u',
      LANGFUSE_COST_ALERT_SMTP_PASSWORD: 'p@ss word',
      LANGFUSE_COST_ALERT_LEVELS: 'exceeded',
      LANGFUSE_COST_ALERT_SOURCE: 'pod-7',
    });
    expect(d).not.toBeNull();
    track(d!);
    spend(t);
    expect(await d!.flush(10_000)).toBe(true);
    expect(hook.received.map((r) => JSON.parse(r.body)).map((b) => [b.id, b.source])).toEqual([
      [IDS[2], 'pod-7'],
    ]);
    expect(slack.received).toHaveLength(1);
    expect(server.mails.map((m) => [m.to, m.user])).toEqual([[['ops@example.com'], 'u']]);
  });
});
