import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** One request a loopback HTTP server received. */
export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** When it arrived, ms (performance.now). */
  at: number;
}

/** A loopback HTTP server that records every request; `reply` decides the answer (or never answers). */
export interface Loopback {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** What to answer the n-th request (0-based): a status and body, or `hang` (never answer). */
export type Reply = (
  n: number,
) => { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/** Start a server on 127.0.0.1, a free port. */
export async function startHttp(reply: Reply, path = '/'): Promise<Loopback> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const n = received.length;
      received.push({ path: req.url ?? '', headers: req.headers, body, at: performance.now() });
      const r = reply(n);
      if (r === 'hang') return;
      res.writeHead(r.status, { 'content-type': 'text/plain', ...(r.headers ?? {}) });
      res.end(r.body ?? '');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One message a loopback SMTP server accepted. */
export interface Mail {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  raw: string;
}

/** A loopback SMTP server (no TLS; login required when `login` is given). */
export interface SmtpLoopback {
  port: number;
  mails: Mail[];
  /** Every DATA command seen, accepted or not. */
  attempts: number;
  close(): Promise<void>;
}

export async function startSmtp(
  opts: {
    login?: { user: string; pass: string };
    reject?: (n: number) => { code: number; message: string } | null;
  } = {},
): Promise<SmtpLoopback> {
  const mails: Mail[] = [];
  const state = { attempts: 0 };
  const options: SMTPServerOptions = {
    disabledCommands: opts.login ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !opts.login,
    logger: false,
    onAuth(auth, _session, cb) {
      if (opts.login && auth.username === opts.login.user && auth.password === opts.login.pass)
        cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        const n = state.attempts++;
        const r = opts.reject?.(n) ?? null;
        if (r) {
          cb(Object.assign(new Error(r.message), { responseCode: r.code }));
          return;
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          raw,
        });
        cb();
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    get attempts() {
      return state.attempts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A logger that keeps its lines. */
export function memoryLogger() {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
