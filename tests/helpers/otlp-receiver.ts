import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

/**
 * A loopback OTLP/HTTP trace receiver for tests. It decodes what the real exporters send:
 * `application/json` (the `@opentelemetry/exporter-trace-otlp-http` exporter, which
 * `@langfuse/otel`'s `LangfuseSpanProcessor` uses, POSTing to `{baseUrl}/api/public/otel/v1/traces`)
 * and `application/x-protobuf` (`@opentelemetry/exporter-trace-otlp-proto`), gzip or not.
 * The protobuf decoder below is a small hand-written reader of the OTLP trace messages.
 *
 * ```ts
 * const rx = await startOtlpReceiver();
 * new LangfuseSpanProcessor({ baseUrl: rx.url, publicKey: 'pk-lf-test', secretKey: 'sk-lf-test' });
 * await rx.waitForSpans(1);
 * rx.spans[0].attributes['gen_ai.usage.cost'];
 * ```
 */

/** An attribute value as decoded: numbers (int64 beyond 2^53 as bigint), strings, booleans, arrays, objects, bytes. */
export type DecodedValue =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | null
  | DecodedValue[]
  | { [key: string]: DecodedValue };

/** One exported span. */
export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, DecodedValue>;
  status: { code: number; message?: string };
  resource: Record<string, DecodedValue>;
  scope: { name: string; version?: string };
}

/** One HTTP request the receiver got. */
export interface ReceivedExport {
  path: string;
  contentType: string;
  contentEncoding?: string;
  headers: http.IncomingHttpHeaders;
  spanCount: number;
}

/** A running receiver. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT` — use as Langfuse `baseUrl`. */
  url: string;
  /** `http://127.0.0.1:PORT/v1/traces` — use as an OTLP exporter `url`. */
  tracesUrl: string;
  /** Every decoded span, in arrival order. */
  spans: DecodedSpan[];
  /** Every export request. */
  requests: ReceivedExport[];
  /** Errors while decoding (a test should expect none). */
  errors: string[];
  /** Resolve once at least `n` spans arrived (rejects after `timeoutMs`, default 5000). */
  waitForSpans(n: number, timeoutMs?: number): Promise<DecodedSpan[]>;
  /** Spans with this name. */
  spansNamed(name: string): DecodedSpan[];
  /** Forget received spans and requests. */
  clear(): void;
  /** Stop the server. */
  close(): Promise<void>;
}

/** Start a receiver on 127.0.0.1 with a random port. Accepts any path ending in `/v1/traces`. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: DecodedSpan[] = [];
  const requests: ReceivedExport[] = [];
  const errors: string[] = [];
  const waiters = new Set<() => void>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const contentType = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim();
      const encoding = req.headers['content-encoding'] as string | undefined;
      if (req.method !== 'POST' || !path.endsWith('/v1/traces')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      let body = Buffer.concat(chunks);
      let decoded: DecodedSpan[] = [];
      try {
        if (encoding === 'gzip') body = gunzipSync(body);
        else if (encoding === 'deflate') body = inflateSync(body);
        if (contentType === 'application/x-protobuf') decoded = decodeProtobufRequest(body);
        else decoded = decodeJsonRequest(JSON.parse(body.toString('utf8')));
      } catch (err) {
        errors.push(`${contentType}: ${err instanceof Error ? err.message : String(err)}`);
        res.writeHead(400, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      requests.push({
        path,
        contentType,
        contentEncoding: encoding,
        headers: req.headers,
        spanCount: decoded.length,
      });
      spans.push(...decoded);
      for (const w of [...waiters]) w();
      // An empty ExportTraceServiceResponse: `{}` in JSON, zero bytes in protobuf.
      if (contentType === 'application/x-protobuf')
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    tracesUrl: `${url}/v1/traces`,
    spans,
    requests,
    errors,
    waitForSpans(n, timeoutMs = 5_000) {
      if (spans.length >= n) return Promise.resolve(spans);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (spans.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(spans);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`OTLP receiver: expected ${n} spans, got ${spans.length} after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    spansNamed(name) {
      return spans.filter((s) => s.name === name);
    },
    clear() {
      spans.length = 0;
      requests.length = 0;
      errors.length = 0;
    },
    close() {
      server.closeAllConnections?.();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// OTLP/JSON (proto3 JSON mapping: ids as hex, int64 as number or decimal string)

type Json = any;

function jsonValue(v: Json): DecodedValue {
  if (v === null || typeof v !== 'object') return null;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return toInt(v.intValue);
  if ('doubleValue' in v) return typeof v.doubleValue === 'string' ? Number(v.doubleValue) : v.doubleValue;
  if ('arrayValue' in v) return (v.arrayValue?.values ?? []).map(jsonValue);
  if ('kvlistValue' in v) return jsonAttributes(v.kvlistValue?.values ?? []);
  if ('bytesValue' in v) return Uint8Array.from(Buffer.from(String(v.bytesValue), 'base64'));
  return null;
}

function toInt(v: unknown): number | bigint {
  if (typeof v === 'number') return v;
  const big = BigInt(String(v));
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function jsonAttributes(list: Json[]): Record<string, DecodedValue> {
  const out: Record<string, DecodedValue> = {};
  for (const kv of list ?? []) out[kv.key] = jsonValue(kv.value);
  return out;
}

function jsonId(v: unknown): string {
  if (typeof v !== 'string') return '';
  // Hex per the OTLP/JSON spec; base64 from encoders that follow plain proto3 JSON.
  return /^[0-9a-f]*$/i.test(v) ? v.toLowerCase() : Buffer.from(v, 'base64').toString('hex');
}

/** Decode an OTLP/JSON ExportTraceServiceRequest. */
export function decodeJsonRequest(req: Json): DecodedSpan[] {
  const out: DecodedSpan[] = [];
  for (const rs of req?.resourceSpans ?? []) {
    const resource = jsonAttributes(rs.resource?.attributes ?? []);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? '', version: ss.scope?.version || undefined };
      for (const s of ss.spans ?? []) {
        const parent = jsonId(s.parentSpanId);
        out.push({
          traceId: jsonId(s.traceId),
          spanId: jsonId(s.spanId),
          parentSpanId: parent || undefined,
          name: s.name ?? '',
          kind: s.kind ?? 0,
          startTimeUnixNano: BigInt(s.startTimeUnixNano ?? 0),
          endTimeUnixNano: BigInt(s.endTimeUnixNano ?? 0),
          attributes: jsonAttributes(s.attributes ?? []),
          status: { code: s.status?.code ?? 0, message: s.status?.message || undefined },
          resource,
          scope,
        });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// OTLP/protobuf: a minimal reader of opentelemetry/proto/collector/trace/v1 ExportTraceServiceRequest.

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  }

  tag(): { field: number; wire: number } {
    const t = Number(this.varint());
    return { field: t >>> 3, wire: t & 7 };
  }

  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.end) throw new Error('truncated field');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  sub(): Reader {
    const len = Number(this.varint());
    if (this.pos + len > this.end) throw new Error('truncated message');
    const r = new Reader(this.buf, this.pos + len);
    r.pos = this.pos;
    this.pos += len;
    return r;
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) throw new Error('truncated fixed64');
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, 8).readBigUInt64LE(0);
    this.pos += 8;
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new Error('truncated double');
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, 8).readDoubleLE(0);
    this.pos += 8;
    return v;
  }

  string(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function pbAnyValue(r: Reader): DecodedValue {
  let value: DecodedValue = null;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) value = r.string();
    else if (field === 2 && wire === 0) value = r.varint() !== 0n;
    else if (field === 3 && wire === 0) {
      const big = BigInt.asIntN(64, r.varint());
      value =
        big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    } else if (field === 4 && wire === 1) value = r.double();
    else if (field === 5 && wire === 2) {
      const arr: DecodedValue[] = [];
      const a = r.sub();
      while (!a.done()) {
        const t = a.tag();
        if (t.field === 1 && t.wire === 2) arr.push(pbAnyValue(a.sub()));
        else a.skip(t.wire);
      }
      value = arr;
    } else if (field === 6 && wire === 2) {
      const kv = r.sub();
      const obj: Record<string, DecodedValue> = {};
      while (!kv.done()) {
        const t = kv.tag();
        if (t.field === 1 && t.wire === 2) pbKeyValue(kv.sub(), obj);
        else kv.skip(t.wire);
      }
      value = obj;
    } else if (field === 7 && wire === 2) value = Uint8Array.from(r.bytes());
    else r.skip(wire);
  }
  return value;
}

function pbKeyValue(r: Reader, into: Record<string, DecodedValue>): void {
  let key = '';
  let value: DecodedValue = null;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) key = r.string();
    else if (field === 2 && wire === 2) value = pbAnyValue(r.sub());
    else r.skip(wire);
  }
  into[key] = value;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function pbSpan(r: Reader, resource: Record<string, DecodedValue>, scope: DecodedSpan['scope']): DecodedSpan {
  const span: DecodedSpan = {
    traceId: '',
    spanId: '',
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: {},
    status: { code: 0 },
    resource,
    scope,
  };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) span.traceId = hex(r.bytes());
    else if (field === 2 && wire === 2) span.spanId = hex(r.bytes());
    else if (field === 4 && wire === 2) {
      const p = hex(r.bytes());
      if (p) span.parentSpanId = p;
    } else if (field === 5 && wire === 2) span.name = r.string();
    else if (field === 6 && wire === 0) span.kind = Number(r.varint());
    else if (field === 7 && wire === 1) span.startTimeUnixNano = r.fixed64();
    else if (field === 8 && wire === 1) span.endTimeUnixNano = r.fixed64();
    else if (field === 9 && wire === 2) pbKeyValue(r.sub(), span.attributes);
    else if (field === 15 && wire === 2) {
      const s = r.sub();
      while (!s.done()) {
        const t = s.tag();
        if (t.field === 2 && t.wire === 2) span.status.message = s.string();
        else if (t.field === 3 && t.wire === 0) span.status.code = Number(s.varint());
        else s.skip(t.wire);
      }
    } else r.skip(wire);
  }
  return span;
}

/** Decode an OTLP/protobuf ExportTraceServiceRequest. */
export function decodeProtobufRequest(buf: Uint8Array): DecodedSpan[] {
  const out: DecodedSpan[] = [];
  const top = new Reader(buf);
  while (!top.done()) {
    const { field, wire } = top.tag();
    if (field !== 1 || wire !== 2) {
      top.skip(wire);
      continue;
    }
    const rs = top.sub();
    const resource: Record<string, DecodedValue> = {};
    const scopeSpans: Reader[] = [];
    while (!rs.done()) {
      const t = rs.tag();
      if (t.field === 1 && t.wire === 2) {
        const res = rs.sub();
        while (!res.done()) {
          const rt = res.tag();
          if (rt.field === 1 && rt.wire === 2) pbKeyValue(res.sub(), resource);
          else res.skip(rt.wire);
        }
      } else if (t.field === 2 && t.wire === 2) scopeSpans.push(rs.sub());
      else rs.skip(t.wire);
    }
    for (const ss of scopeSpans) {
      const scope: DecodedSpan['scope'] = { name: '' };
      const spanReaders: Reader[] = [];
      while (!ss.done()) {
        const t = ss.tag();
        if (t.field === 1 && t.wire === 2) {
          const sc = ss.sub();
          while (!sc.done()) {
            const st = sc.tag();
            if (st.field === 1 && st.wire === 2) scope.name = sc.string();
            else if (st.field === 2 && st.wire === 2) scope.version = sc.string() || undefined;
            else sc.skip(st.wire);
          }
        } else if (t.field === 2 && t.wire === 2) spanReaders.push(ss.sub());
        else ss.skip(t.wire);
      }
      for (const sr of spanReaders) out.push(pbSpan(sr, resource, scope));
    }
  }
  return out;
}
