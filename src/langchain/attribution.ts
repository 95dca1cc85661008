import { closedError } from '../errors.js';
import type { Attribution } from '../ledger/record.js';

/**
 * Metadata keys read for each field, in priority order (first present wins; see `rankOf`). The
 * Langfuse handler's own keys (`langfuseSessionId`, `langfuseUserId`) are honoured so one config
 * feeds both; LangGraph's `thread_id` is the conversation when nothing else names a session.
 *
 * - sessionId: `session_id`, `sessionId`, `langfuseSessionId`, `langfuse_session_id`, `thread_id`
 * - userId: `user_id`, `userId`, `langfuseUserId`, `langfuse_user_id`
 * - tenantId: `tenant_id`, `tenantId`, `langfuseTenantId`
 * - environment: `environment`, `langfuse_environment`, `langfuseEnvironment`
 * - operation: `operation`, `langgraph_node`
 */
const FIELD_OF_KEY: Record<string, readonly [Field, number] | undefined> = Object.assign(
  Object.create(null),
  {
    session_id: ['sessionId', 0],
    sessionId: ['sessionId', 1],
    langfuseSessionId: ['sessionId', 2],
    langfuse_session_id: ['sessionId', 3],
    thread_id: ['sessionId', 4],
    user_id: ['userId', 0],
    userId: ['userId', 1],
    langfuseUserId: ['userId', 2],
    langfuse_user_id: ['userId', 3],
    tenant_id: ['tenantId', 0],
    tenantId: ['tenantId', 1],
    langfuseTenantId: ['tenantId', 2],
    environment: ['environment', 0],
    langfuse_environment: ['environment', 1],
    langfuseEnvironment: ['environment', 2],
    operation: ['operation', 0],
    langgraph_node: ['operation', 1],
  },
);

/** A key that starts with `ls_` (`FIELD_OF_KEY` has none). */
function isLangSmithKey(key: string): boolean {
  return key.charCodeAt(0) === 0x6c && key.charCodeAt(1) === 0x73 && key.charCodeAt(2) === 0x5f;
}

type Field = 'sessionId' | 'userId' | 'tenantId' | 'environment' | 'operation';

/** Rank of a field no key has set yet (every key's rank is lower). */
const NO_RANK = 9;

const FIELD_SLOT: Record<Field, number> = {
  sessionId: 0,
  userId: 1,
  tenantId: 2,
  environment: 3,
  operation: 4,
};

/**
 * Tags LangChain and LangGraph put on child runs to say where in a composition they ran, not what the
 * user labelled them (read from `@langchain/core` 1.4 and `@langchain/langgraph` 1.x sources):
 *
 * - `seq:step:N` — step N of a `RunnableSequence` (`prompt.pipe(model)`: the model is `seq:step:2`);
 * - `map:key:KEY` — branch KEY of a `RunnableParallel` / `RunnableMap`;
 * - `condition:N`, `branch:N`, `branch:default` — `RunnableBranch`;
 * - `retry:attempt:N` — attempt N (from 2) of `withRetry()`;
 * - `graph:step:N` — superstep N of a LangGraph graph;
 * - `langsmith:hidden`, `langsmith:nostream` and any other `langsmith:` tag — tracing controls.
 *
 * They are dropped from recorded tags (so `report --by tag` and exports show only the user's tags).
 */
const INTERNAL_TAG =
  /^(?:(?:seq:step|graph:step|retry:attempt|condition|branch):\d+|branch:default|map:key:.*|langsmith:.*)$/s;

/** True for a tag LangChain or LangGraph adds itself (see {@link INTERNAL_TAG}). */
export function isLangChainInternalTag(tag: string): boolean {
  return typeof tag === 'string' && INTERNAL_TAG.test(tag);
}

/** The user's tags of a run: LangChain's internal ones removed; undefined when none are left. */
function userTags(tags: string[]): string[] | undefined {
  let out: string[] | undefined;
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i]!;
    if (typeof t === 'string' && isLangChainInternalTag(t)) {
      out ??= tags.slice(0, i);
    } else if (out !== undefined) {
      out.push(t);
    }
  }
  if (out === undefined) return tags.slice();
  return out.length > 0 ? out : undefined;
}

/** What a LangChain run's `metadata` says about the call. */
export interface RunMetadata {
  sessionId: string | undefined;
  userId: string | undefined;
  tenantId: string | undefined;
  environment: string | undefined;
  operation: string | undefined;
  /** `ls_model_name`. */
  modelName: string | undefined;
  /** `ls_provider`. */
  provider: string | undefined;
  /** `versions` (package → version), as LangChain adds it. */
  versions: Record<string, unknown> | undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

/**
 * Read a run's metadata in one pass. LangChain builds a new metadata object for every call, whose
 * hidden class may be new to a named read's inline cache (~0.5 µs a miss, measured); one `for…in`
 * pass over its keys costs the same whatever its shape, and V8 reads each `metadata[key]` in it by
 * field index, without a keys array (see extract-langchain.ts). Inherited enumerable keys are
 * visited too; LangChain's metadata objects are plain objects, which have none. The pass walks a
 * copy of a plain object ({@link walkable}).
 */
export function readRunMetadata(metadata: Record<string, unknown> | undefined): RunMetadata {
  try {
    return readRunMetadataUnchecked(metadata);
  } catch (err) {
    throw closedError(err, 'readRunMetadata');
  }
}

/**
 * The object {@link readRunMetadata}'s `for…in` walks: for a plain object, a copy made by
 * `Object.assign` onto `{}`. LangChain (1.4, on Node 20's V8) builds every call's metadata with
 * spreads whose inline caches have seen many shapes, and each such object gets a hidden class of its
 * own, outside any transition tree: `for…in` over it builds that class's enum cache first, in the
 * runtime and in old space, every call (ForInEnumerate ~2.2k instructions an invoke, callgrind, and
 * old-space pages touched for the first time: a page fault every ~26 calls in a reader alone, which
 * made its mean 2–3× its median). `Object.assign` copies the own enumerable properties by their
 * descriptors, without an enum cache, and adds them to `{}` along the transition tree, so calls with
 * the same keys share the copy's class and its enum cache. The walk sees the same keys in the same
 * order: a plain object's inherited enumerable keys are `Object.prototype`'s, the copy's too. Not
 * copied: an object of another prototype (its inherited keys count), one whose own `__proto__` key
 * gave the copy another prototype (the copy's assignment ran `Object.prototype`'s setter), and one
 * the copy fails on. Getters of the object run during the copy, every one once.
 */
function walkable(metadata: Record<string, unknown>): Record<string, unknown> {
  if (Object.getPrototypeOf(metadata) !== Object.prototype) return metadata;
  const copy: Record<string, unknown> = {};
  try {
    Object.assign(copy, metadata);
  } catch {
    // A getter that throws, or a key that Object.prototype holds read-only (frozen intrinsics make
    // the copy's assignment throw): the walk reads the object itself, as it did before the copy.
    return metadata;
  }
  return Object.getPrototypeOf(copy) === Object.prototype ? copy : metadata;
}

function readRunMetadataUnchecked(metadata: Record<string, unknown> | undefined): RunMetadata {
  const out: RunMetadata = {
    sessionId: undefined,
    userId: undefined,
    tenantId: undefined,
    environment: undefined,
    operation: undefined,
    modelName: undefined,
    provider: undefined,
    versions: undefined,
  };
  if (!metadata) return out;
  const walked = walkable(metadata);
  // Rank of the key each field was taken from (lower wins; metadata key order does not matter).
  // Made at the first attribution key: most calls' metadata (LangChain's own `ls_*` keys) has none.
  let ranks: number[] | undefined;
  for (const key in walked) {
    if (key === 'ls_model_name') out.modelName = text(walked[key]);
    else if (key === 'ls_provider') out.provider = text(walked[key]);
    else if (key === 'versions') {
      const v = walked[key];
      if (typeof v === 'object' && v !== null) out.versions = v as Record<string, unknown>;
    } else if (isLangSmithKey(key)) {
    } else {
      const hit = FIELD_OF_KEY[key];
      if (hit === undefined) continue;
      const [field, rank] = hit;
      const slot = FIELD_SLOT[field];
      ranks ??= [NO_RANK, NO_RANK, NO_RANK, NO_RANK, NO_RANK];
      if (rank >= ranks[slot]!) continue;
      const value = text(walked[key]);
      if (value === undefined) continue;
      out[field] = value;
      ranks[slot] = rank;
    }
  }
  return out;
}

/**
 * Attribution of one LangChain LLM run: session, user, tenant and environment from its metadata,
 * tags (without LangChain's internal ones, {@link isLangChainInternalTag}), and the operation from the run name (`config.runName`), else `metadata.operation`, else the
 * LangGraph node. Handler defaults fill what the call leaves unset; the call's own values win.
 */
export function attributionFromLangChain(
  defaults: Attribution | undefined,
  metadata: Record<string, unknown> | undefined,
  tags: string[] | undefined,
  runName: string | undefined,
): Attribution {
  try {
    return attributionFromLangChainUnchecked(defaults, metadata, tags, runName);
  } catch (err) {
    throw closedError(err, 'attributionFromLangChain');
  }
}

function attributionFromLangChainUnchecked(
  defaults: Attribution | undefined,
  metadata: Record<string, unknown> | undefined,
  tags: string[] | undefined,
  runName: string | undefined,
): Attribution {
  return attributionFromRunMetadata(defaults, readRunMetadata(metadata), tags, runName);
}

/**
 * {@link attributionFromLangChain} from metadata already read with {@link readRunMetadata}.
 * The result always has the same shape (absent fields are `undefined`), which keeps the per-call
 * work cheap.
 */
export function attributionFromRunMetadata(
  defaults: Attribution | undefined,
  m: RunMetadata,
  tags: string[] | undefined,
  runName: string | undefined,
): Attribution {
  try {
    return attributionFromRunMetadataUnchecked(defaults, m, tags, runName);
  } catch (err) {
    throw closedError(err, 'attributionFromRunMetadata');
  }
}

function attributionFromRunMetadataUnchecked(
  defaults: Attribution | undefined,
  m: RunMetadata,
  tags: string[] | undefined,
  runName: string | undefined,
): Attribution {
  const d = defaults;
  let callTags: string[] | undefined;
  const own = tags && tags.length > 0 ? userTags(tags) : undefined;
  if (own !== undefined) {
    callTags = d?.tags?.length ? [...new Set([...d.tags, ...own])] : own;
  }
  return {
    traceId: d?.traceId,
    spanId: d?.spanId,
    parentId: d?.parentId,
    sessionId: m.sessionId ?? d?.sessionId,
    userId: m.userId ?? d?.userId,
    tenantId: m.tenantId ?? d?.tenantId,
    operation: runName || m.operation || d?.operation,
    service: d?.service,
    tags: callTags ?? d?.tags,
    environment: m.environment ?? d?.environment,
    fallback: d?.fallback,
    metadata: d?.metadata,
  };
}

/**
 * The attribution of a call that names nothing: every field present (the shape of the others) and
 * undefined. Shared by all such calls of every handler, so nobody may change it.
 */
const NOTHING_NAMED: Attribution = {
  traceId: undefined,
  spanId: undefined,
  parentId: undefined,
  sessionId: undefined,
  userId: undefined,
  tenantId: undefined,
  operation: undefined,
  service: undefined,
  tags: undefined,
  environment: undefined,
  fallback: undefined,
  metadata: undefined,
};

/**
 * @internal {@link attributionFromRunMetadata} for the handler's own use: a call that names nothing
 * (no handler defaults, no attribution key in its metadata, no user tag, no run name), as most of
 * LangChain's calls are, gets one shared attribution ({@link NOTHING_NAMED}) that the handler only
 * reads, instead of a new object per call.
 */
export function runAttribution(
  defaults: Attribution | undefined,
  m: RunMetadata,
  tags: string[] | undefined,
  runName: string | undefined,
): Attribution {
  if (
    defaults === undefined &&
    !runName &&
    (tags === undefined || tags.length === 0) &&
    m.sessionId === undefined &&
    m.userId === undefined &&
    m.tenantId === undefined &&
    m.operation === undefined &&
    m.environment === undefined
  )
    return NOTHING_NAMED;
  return attributionFromRunMetadata(defaults, m, tags, runName);
}
