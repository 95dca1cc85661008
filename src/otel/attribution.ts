import type { HrTime } from '@opentelemetry/api';
import type { RecordContext } from '../ledger/record.js';
import type { ProcessorSpan } from './types.js';

type Attrs = Readonly<Record<string, unknown>>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function hrToMs(t: HrTime | undefined): number | undefined {
  if (!t) return undefined;
  const ms = t[0] * 1e3 + t[1] / 1e6;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** `end − start` in milliseconds when both are known and in order, else undefined. */
function durationMs(start: number | undefined, end: number | undefined): number | undefined {
  return start !== undefined && end !== undefined && end >= start ? end - start : undefined;
}

/** @internal A span's duration in milliseconds (start to end), or undefined when it has none. */
export function spanDurationMs(span: Pick<ProcessorSpan, 'startTime' | 'endTime'>): number | undefined {
  return durationMs(hrToMs(span.startTime), hrToMs(span.endTime));
}

function tagsOf(v: unknown): string[] | undefined {
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const t of v) if (typeof t === 'string' && t.length > 0) out.push(t);
    return out.length > 0 ? out : undefined;
  }
  if (typeof v === 'string' && v.length > 0) return [v];
  return undefined;
}

/**
 * Environment attributes, in the order Langfuse reads them: `langfuse.environment` (which
 * `LangfuseSpanProcessor` writes on every span from its `environment` option or
 * `LANGFUSE_TRACING_ENVIRONMENT`), then the OTel convention, current and deprecated name (on spans
 * or, usually, the resource: `OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=prod`).
 */
const ENV_ATTRS = ['langfuse.environment', 'deployment.environment.name', 'deployment.environment'] as const;

function environmentOf(a: Attrs | undefined): string | undefined {
  if (!a) return undefined;
  // ENV_ATTRS written out: literal keys are named reads, which stay cheap on spans of many shapes
  // (a read through `ENV_ATTRS[i]` is a keyed one; see the `A` enum of usage/extract-otel.ts).
  return (
    str(a['langfuse.environment']) ??
    str(a['deployment.environment.name']) ??
    str(a['deployment.environment'])
  );
}

/** `service.name` and the environment of a resource, memoised for the last resource seen (one per provider in practice). */
export class ServiceNameCache {
  private resource: object | undefined;
  private service: string | undefined;
  private env: string | undefined;

  /** The resource's `service.name`. */
  get(resource: ProcessorSpan['resource']): string | undefined {
    if (!resource) return undefined;
    if (resource === this.resource) return this.service;
    // Reading `attributes` before async detectors settle makes the SDK log an error; the raw
    // list has the synchronous ones (service.name from config or env). Not cached until settled.
    if (resource.asyncAttributesPending) return pendingAttribute(resource, 'service.name');
    this.load(resource);
    return this.service;
  }

  /** The resource's `deployment.environment.name` (or the deprecated `deployment.environment`). */
  environment(resource: ProcessorSpan['resource']): string | undefined {
    if (!resource) return undefined;
    if (resource === this.resource) return this.env;
    if (resource.asyncAttributesPending) {
      return (
        pendingAttribute(resource, ENV_ATTRS[1]) ??
        pendingAttribute(resource, ENV_ATTRS[2]) ??
        pendingAttribute(resource, ENV_ATTRS[0])
      );
    }
    this.load(resource);
    return this.env;
  }

  private load(resource: NonNullable<ProcessorSpan['resource']>): void {
    const attrs = resource.attributes as Attrs | undefined;
    this.resource = resource;
    this.service = str(attrs?.['service.name']);
    this.env = environmentOf(attrs);
  }
}

function pendingAttribute(
  resource: NonNullable<ProcessorSpan['resource']>,
  name: string,
): string | undefined {
  const raw = resource.getRawAttributes?.();
  if (!Array.isArray(raw)) return undefined;
  for (const entry of raw) {
    if (entry[0] === name) return str(entry[1]);
  }
  return undefined;
}

/** Entries at which ended spans are swept out of the open-span index (raised while many are open). */
const SWEEP_AT = 2_048;
/** Hard cap of the index; past it the index is cleared (spans that never end). */
const OPEN_SPAN_LIMIT = 50_000;
/** How far up the parent chain session, user and tags are looked for. */
const MAX_ANCESTORS = 16;

/**
 * Spans that have started and not ended, by span id. Session, user and tags are often set only on a
 * trace's root or chain span (e.g. `@langfuse/langchain` propagates them to the root chain span
 * only); a priced child looks them up through its open ancestors, found by
 * `parentSpanContext.spanId` (which also works when the parent context holds only a span context, as
 * in the Langfuse LangChain handler). A span is let go when it ends ({@link OpenSpans.remove}): held
 * until a later sweep, every span of the service outlived the young generation's collections, and
 * copying and promoting them was most of the processor's cost. The entry itself stays (its value
 * cleared) until the index grows past {@link SWEEP_AT} and is swept in bulk, keeping only the spans
 * still open: a Map delete per span made the Map shrink and grow again on every span. The index is
 * cleared past {@link OPEN_SPAN_LIMIT}. Memory stays bounded either way.
 */
export class OpenSpans {
  private byId = new Map<string, ProcessorSpan | undefined>();
  private sweepAt = SWEEP_AT;
  /**
   * The span started last, not yet in the Map (with its id). It goes into the Map when another span
   * starts before it ends; a span that ends first (a leaf: most LLM, HTTP and DB spans) never enters
   * it, so its new id is never hashed (about 330 instructions) and no entry is set, found and cleared.
   */
  private last: ProcessorSpan | undefined = undefined;
  private lastId: string | undefined = undefined;

  /** Remember a started span. */
  add(span: ProcessorSpan): void {
    const id = span.spanContext().spanId;
    if (this.last !== undefined) this.put(this.lastId!, this.last);
    this.last = span;
    this.lastId = id;
  }

  /** Let go of a span that ended (a span the index holds under another's id is left alone). */
  remove(span: ProcessorSpan): void {
    if (span === this.last) {
      this.last = undefined;
      this.lastId = undefined;
      return;
    }
    const id = span.spanContext().spanId;
    if (this.byId.get(id) === span) this.byId.set(id, undefined);
  }

  private put(id: string, span: ProcessorSpan): void {
    if (this.byId.size >= this.sweepAt) this.sweep();
    this.byId.set(id, span);
  }

  private sweep(): void {
    const open = new Map<string, ProcessorSpan | undefined>();
    this.byId.forEach((span, id) => {
      if (span !== undefined && !isEnded(span)) open.set(id, span);
    });
    this.byId = open.size >= OPEN_SPAN_LIMIT ? new Map() : open;
    this.sweepAt = Math.max(SWEEP_AT, this.byId.size * 2);
  }

  /** Open spans in the index (for tests). */
  get size(): number {
    let n = this.last !== undefined && !isEnded(this.last) ? 1 : 0;
    this.byId.forEach((span) => {
      if (span !== undefined && !isEnded(span)) n++;
    });
    return n;
  }

  /** Spans the index keeps alive: open ones, and any that ended without `remove` until the next sweep (for tests). */
  get held(): number {
    let n = this.last !== undefined ? 1 : 0;
    this.byId.forEach((span) => {
      if (span !== undefined) n++;
    });
    return n;
  }

  /** An open span. */
  get(spanId: string): ProcessorSpan | undefined {
    const span = spanId === this.lastId ? this.last : this.byId.get(spanId);
    return span === undefined || isEnded(span) ? undefined : span;
  }

  /**
   * Add every open ancestor of `span` (up to {@link MAX_ANCESTORS}) to `into`; true when it added
   * one (a root span, or one whose parent has ended, adds none).
   */
  markAncestors(span: ProcessorSpan, into: WeakSet<object>): boolean {
    let id = span.parentSpanContext?.spanId;
    let marked = false;
    for (let depth = 0; id && depth < MAX_ANCESTORS; depth++) {
      const ancestor = this.get(id);
      if (!ancestor) break;
      into.add(ancestor);
      marked = true;
      id = ancestor.parentSpanContext?.spanId;
    }
    return marked;
  }
}

/** `ended` of SDK spans (2.x and 3.x); spans without it count as open. */
function isEnded(span: ProcessorSpan): boolean {
  return (span as { ended?: boolean }).ended === true;
}

function sessionOf(a: Attrs): string | undefined {
  return (
    str(a['langfuse.session.id']) ??
    str(a['session.id']) ??
    str(a['gen_ai.conversation.id']) ??
    str(a['ai.telemetry.metadata.sessionId'])
  );
}

function userOf(a: Attrs): string | undefined {
  return str(a['langfuse.user.id']) ?? str(a['user.id']) ?? str(a['ai.telemetry.metadata.userId']);
}

/**
 * Trace, span, session, user, tags and timing of a span for `tracker.record`. Session and user come
 * from Langfuse's attributes first (`langfuse.session.id`, `langfuse.user.id`), then the OTel /
 * Langfuse trace attributes (`session.id`, `user.id`), then the AI SDK telemetry metadata; when the
 * span has none, from its nearest open ancestor that has them. The environment is the span's
 * `langfuse.environment` / `deployment.environment.name` / `deployment.environment`, else
 * `resourceEnvironment` (the resource's, from {@link ServiceNameCache.environment}).
 */
export function recordContextOf(
  span: ProcessorSpan,
  service: string | undefined,
  providedCost: number | undefined,
  open?: OpenSpans,
  resourceEnvironment?: string,
): RecordContext {
  const a = span.attributes as Attrs;
  const sc = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  let session = sessionOf(a);
  let user = userOf(a);
  let tags = tagsOf(a['langfuse.trace.tags']);
  if (open && parent && (session === undefined || user === undefined || tags === undefined)) {
    let id: string | undefined = parent;
    for (let depth = 0; id && depth < MAX_ANCESTORS; depth++) {
      const ancestor = open.get(id);
      if (!ancestor) break;
      const pa = ancestor.attributes as Attrs;
      session ??= sessionOf(pa);
      user ??= userOf(pa);
      tags ??= tagsOf(pa['langfuse.trace.tags']);
      if (session !== undefined && user !== undefined && tags !== undefined) break;
      id = ancestor.parentSpanContext?.spanId;
    }
  }
  const start = hrToMs(span.startTime);
  const end = hrToMs(span.endTime);
  // Every key, in the order the LangChain handler writes them, whether or not the span has it: one
  // hidden class for the contexts of every span shape (and both adapters), so the tracker reads each
  // field from one map; an undefined field is not given. A recorder of the user's gets only the
  // fields given (see recordOutcome).
  return {
    traceId: sc.traceId,
    spanId: sc.spanId,
    parentId: parent || undefined,
    sessionId: session || undefined,
    userId: user || undefined,
    tenantId: undefined,
    operation: span.name,
    service: service || undefined,
    tags: tags || undefined,
    environment: (environmentOf(a) ?? resourceEnvironment) || undefined,
    fallback: undefined,
    metadata: undefined,
    startTime: start,
    endTime: end,
    durationMs: durationMs(start, end),
    cached: undefined,
    providedCost,
  };
}
