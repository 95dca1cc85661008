import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One event of a Langfuse ingestion batch. */
export interface IngestionEventRecord {
  id: string;
  type: string;
  timestamp: string;
  body: Record<string, any>;
}

/** A loopback Langfuse ingestion endpoint (`POST /api/public/ingestion`) that keeps every event. */
export interface IngestionReceiver {
  /** `http://127.0.0.1:PORT` — the Langfuse `baseUrl`. */
  url: string;
  /** Every event received, in arrival order. */
  events: IngestionEventRecord[];
  /** Authorization headers received. */
  authorizations: string[];
  close(): Promise<void>;
}

/** Start a receiver answering like Langfuse (207 with one success per event). */
export async function startIngestionReceiver(): Promise<IngestionReceiver> {
  const events: IngestionEventRecord[] = [];
  const authorizations: string[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString('utf8');
    });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/public/ingestion') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'not found' }));
        return;
      }
      authorizations.push(String(req.headers.authorization ?? ''));
      const body = JSON.parse(raw) as { batch: IngestionEventRecord[] };
      events.push(...body.batch);
      res.writeHead(207, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ successes: body.batch.map((e) => ({ id: e.id, status: 201 })), errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    authorizations,
    close: () => {
      server.closeAllConnections?.();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
