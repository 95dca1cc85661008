import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  computeCost,
  ingestionEventProblem,
  mergeObservationEvent,
  type StoredObservation,
  sortBatch,
} from './langfuse-server/rules.js';

/** One event of a Langfuse ingestion batch. */
export interface IngestionEventRecord {
  id: string;
  type: string;
  timestamp: string;
  body: Record<string, any>;
}

/**
 * A loopback Langfuse ingestion endpoint (`POST /api/public/ingestion`) that checks every event
 * against the server's event schema (`body.id`, a timestamp with an offset, a known type), answers
 * 207 with per-event errors as Langfuse does, and merges the accepted events by id in the server's
 * order (creates first, then updates, each by timestamp) — rules and sources in ./langfuse-server.
 */
export interface IngestionReceiver {
  /** `http://127.0.0.1:PORT` — the Langfuse `baseUrl`. */
  url: string;
  /** Every accepted event, in arrival order. */
  events: IngestionEventRecord[];
  /** Events the schema refused, with the reason (Langfuse answers them with a 400 inside the 207). */
  rejected: { event: unknown; error: string }[];
  /** Observations as Langfuse would store them after merging the accepted events (provided cost only). */
  observations: Map<string, StoredObservation>;
  /** Authorization headers received. */
  authorizations: string[];
  close(): Promise<void>;
}

const NOT_OBSERVATIONS = new Set(['trace-create', 'score-create', 'sdk-log']);

/** Start a receiver answering like Langfuse (207, one success or error per event). */
export async function startIngestionReceiver(): Promise<IngestionReceiver> {
  const events: IngestionEventRecord[] = [];
  const rejected: IngestionReceiver['rejected'] = [];
  const observations = new Map<string, StoredObservation>();
  const authorizations: string[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString('utf8');
    });
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/api/public/ingestion')
        return answer(404, { message: 'not found' });
      authorizations.push(String(req.headers.authorization ?? ''));
      let body: { batch?: unknown };
      try {
        body = JSON.parse(raw);
      } catch {
        return answer(400, { message: 'Invalid request data', errors: ['invalid JSON'] });
      }
      if (!body || !Array.isArray(body.batch))
        return answer(400, { message: 'Invalid request data', errors: ['batch: expected array'] });
      const successes: { id: string; status: number }[] = [];
      const errors: { id: string; status: number; message: string; error: string }[] = [];
      const valid: IngestionEventRecord[] = [];
      for (const e of body.batch) {
        const problem = ingestionEventProblem(e);
        if (problem) {
          const id = typeof (e as { id?: unknown })?.id === 'string' ? (e as { id: string }).id : 'unknown';
          errors.push({ id, status: 400, message: 'Invalid request data', error: problem });
          rejected.push({ event: e, error: problem });
          continue;
        }
        valid.push(e as IngestionEventRecord);
        successes.push({ id: (e as IngestionEventRecord).id, status: 201 });
      }
      events.push(...valid);
      // The worker replays every event of an observation in timestamp order (creates before
      // updates), whichever batch brought it: rebuild from all events received.
      observations.clear();
      for (const e of sortBatch(events)) {
        if (NOT_OBSERVATIONS.has(e.type)) continue;
        const o = mergeObservationEvent(observations.get(e.body.id), e);
        const c = computeCost(o.providedCostDetails, o.providedUsageDetails, null);
        o.costDetails = c.costDetails;
        o.totalCost = c.totalCost;
        observations.set(o.id, o);
      }
      answer(207, { successes, errors });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    rejected,
    observations,
    authorizations,
    close: () => {
      server.closeAllConnections?.();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
