import { describeValue, InvalidArgumentError } from '../errors.js';
import { canonicalProvider, knownProvider } from '../usage/providers.js';
import { MAX_MATCHED_NAME_LENGTH } from './match-rules.js';

/** One name to look up, and the rule that produced it (shown by `--explain`). */
export interface NameCandidate {
  /** Lower-cased name to look up. */
  name: string;
  /** Rule that produced it, e.g. `exact`, `provider prefix`, `dated snapshot`. */
  rule: string;
  /** Provider implied by the name itself (e.g. `openai/` prefix, Bedrock `anthropic.` vendor). */
  providerHint?: string;
}

/** What a raw model name decomposes into. */
export interface DecomposedName {
  /** Names to try, most specific first. */
  candidates: NameCandidate[];
  /** The name carried an OpenRouter `:free` suffix. */
  free: boolean;
  /** The platform the name's shape implies: `aws` for Bedrock ids, `google` for Vertex `@` ids. */
  platform?: string;
  /**
   * The provider the name itself says the call ran on: the first `/` segment when it is a known
   * provider or router (`groq/openai/gpt-oss-120b` → `groq`), `cloudflare` for `@cf/…` ids, `aws` for
   * Bedrock ids and ARNs, `fireworks` for `accounts/fireworks/models/…`, `google` for Vertex AI
   * Model Garden ids (`…-maas`, `publishers/<org>/models/…`). A price from another provider
   * is then a guess, and another provider's free tier is never used.
   */
  route?: string;
  /**
   * The base model of a fine-tuned model (`ft:<base>:…`, Azure `<base>.ft-<id>`, a Bedrock
   * custom-model ARN). Only fine-tuned prices (`ft:<base>` entries) apply; never the base price.
   */
  fineTuned?: string;
  /**
   * The name is an id only the user's deployment map can resolve (a Bedrock application inference
   * profile or provisioned-model ARN, a Vertex tuned endpoint); says what it is.
   */
  needsMap?: string;
  /** The id inside an ARN or endpoint path, also looked up in the deployment map. */
  mapKey?: string;
}

/** Decides whether a `/` segment names a provider or router; returns its canonical id. */
export type ProviderTest = (segment: string) => string | undefined;

/**
 * A pattern that runs only on names passing `needs`, a plain string test that every string the pattern
 * matches passes: a name with no decoration (`gpt-4o`) then runs none of the patterns below. V8
 * compiles a regex on its first use and again to machine code on its second, about 40 and 20 µs each
 * on a fresh process: these 14 patterns were 0.55 ms of its first price (bench/cold-start.ts), and each
 * name seen for the first time ran them all. tests/unit/pricing/model-name.test.ts checks every
 * `needs` against its pattern on thousands of decorated names.
 */
class GuardedPattern {
  constructor(
    /** The pattern. */
    readonly re: RegExp,
    /** True for every string {@link re} matches (and for others too). */
    readonly needs: (name: string) => boolean,
  ) {}

  exec(name: string): RegExpExecArray | null {
    return this.needs(name) ? this.re.exec(name) : null;
  }

  test(name: string): boolean {
    return this.needs(name) && this.re.test(name);
  }
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const endsInDigit = (name: string): boolean => {
  const last = name.charCodeAt(name.length - 1);
  return last >= DIGIT_0 && last <= DIGIT_9;
};
const hasSlash = (name: string): boolean => name.includes('/');

const OPENROUTER_VARIANT = new GuardedPattern(
  /:(free|beta|nitro|floor|extended|thinking|online|exacto)$/,
  (n) => n.includes(':'),
);
const PATH_PREFIX = new GuardedPattern(
  /^(?:models\/|publishers\/[^/]+\/models\/|projects\/[^/]+\/locations\/[^/]+\/publishers\/[^/]+\/models\/|accounts\/[^/]+\/models\/)/,
  hasSlash,
);
const VERTEX_MAAS = new GuardedPattern(
  /-maas$|^(?:projects\/[^/]+\/locations\/[^/]+\/)?publishers\//,
  (n) => n.endsWith('-maas') || n.includes('publishers/'),
);
const BEDROCK = new GuardedPattern(
  /^(?:(?:us|eu|apac|au|jp|ca|sa|me|af|global|us-gov)\.)?(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|qwen|openai|writer|twelvelabs|stability|minimax|moonshot|moonshotai|google|nvidia)\.(.+)$/,
  (n) => n.includes('.'),
);
const BEDROCK_VERSION = /(?:-v\d+(?::\d+)?|:\d+)$/;
const VERSION_SUFFIX = /-v\d+$/;
// Snapshot decorations, tried in order and repeatedly: each strip yields one more candidate.
const SUFFIXES: { pattern: GuardedPattern; rule: string }[] = [
  { pattern: new GuardedPattern(/-\d{4}-\d{2}-\d{2}$/, endsInDigit), rule: 'dated snapshot (-YYYY-MM-DD)' },
  { pattern: new GuardedPattern(/-\d{8}$/, endsInDigit), rule: 'dated snapshot (-YYYYMMDD)' },
  { pattern: new GuardedPattern(/-\d{2}-\d{2}$/, endsInDigit), rule: 'dated snapshot (-MM-DD)' },
  { pattern: new GuardedPattern(/-\d{4}$/, endsInDigit), rule: 'dated snapshot (-MMDD)' },
  { pattern: new GuardedPattern(/-\d{3}$/, endsInDigit), rule: 'version suffix (-NNN)' },
  { pattern: new GuardedPattern(/-latest$/, (n) => n.endsWith('-latest')), rule: 'alias suffix (-latest)' },
  { pattern: new GuardedPattern(/-v\d+(?::\d+)?$/, endsInDigit), rule: 'version suffix (-vN)' },
];
const DIGIT_DOT = /(\d)\.(\d)/g;
// `-NNN` and `-latest` name another model when what is left has no version of its own
// (`davinci-002` is not `davinci`, `gemini-pro-latest` is not Gemini 1.0 Pro): they are stripped
// only from names that keep a version digit (`gemini-1.5-pro-002` → `gemini-1.5-pro`).
const NEEDS_VERSIONED_BASE = new Set(['version suffix (-NNN)', 'alias suffix (-latest)']);
const HAS_DIGIT = /\d/;
const ARN = new GuardedPattern(/^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):(\d*):([a-z-]+)\/(.+)$/, (n) =>
  n.startsWith('arn:'),
);
const VERTEX_ENDPOINT = new GuardedPattern(/^projects\/[^/]+\/locations\/[^/]+\/endpoints\/([^/]+)$/, (n) =>
  n.startsWith('projects/'),
);
const AZURE_FINE_TUNED = new GuardedPattern(/^(.+)\.ft-[0-9a-z]+(?:-[0-9a-z]+)*$/, (n) => n.includes('.ft-'));

/** @internal Every pattern the decomposition runs behind a plain string test, for that test's test. */
export const GUARDED_PATTERNS: readonly GuardedPattern[] = [
  ARN,
  VERTEX_ENDPOINT,
  AZURE_FINE_TUNED,
  OPENROUTER_VARIANT,
  VERTEX_MAAS,
  PATH_PREFIX,
  BEDROCK,
  ...SUFFIXES.map((s) => s.pattern),
];

/**
 * Whether `out` has a candidate named `name`: a look through the list, not a `Set` beside it (a name
 * gives a handful of candidates, and the set was about 190 bytes of every first-seen name's garbage).
 */
function hasCandidate(out: readonly NameCandidate[], name: string): boolean {
  for (let i = 0; i < out.length; i++) if (out[i]!.name === name) return true;
  return false;
}

/**
 * Decompose a model name as it arrives (dated, prefixed, regional, versioned) into the names to try.
 * The first candidate is always the exact (lower-cased, trimmed) name; a name longer than
 * {@link MAX_MATCHED_NAME_LENGTH} yields only that candidate (its decorations are not stripped).
 */
export function decomposeModelName(raw: string, isProvider: ProviderTest = knownProvider): DecomposedName {
  // A typeof test only: this runs on the first sight of every name (catalog.resolve).
  if (typeof raw !== 'string')
    throw new InvalidArgumentError('decomposeModelName(raw)', `expected a string, got ${describeValue(raw)}`);
  const out: NameCandidate[] = [];
  const push = (name: string, rule: string, providerHint?: string) => {
    if (name === '' || hasCandidate(out, name)) return;
    out.push(providerHint ? { name, rule, providerHint } : { name, rule });
  };
  let n = raw.trim().toLowerCase();
  push(n, 'exact');
  // Stripping suffixes repeatedly is quadratic in the worst case; a name this long is no model name.
  if (n.length > MAX_MATCHED_NAME_LENGTH) return { candidates: out, free: false };
  let free = false;
  let hint: string | undefined;
  let platform: string | undefined;

  let route: string | undefined;
  let mapKey: string | undefined;
  const arn = ARN.exec(n);
  if (arn) {
    const kind = arn[3]!;
    const id = arn[4]!;
    route = 'aws';
    platform = 'aws';
    if (kind === 'inference-profile' || kind === 'foundation-model') {
      n = id;
      push(
        n,
        kind === 'foundation-model' ? 'Bedrock foundation-model ARN' : 'Bedrock inference-profile ARN',
        'aws',
      );
    } else if (kind === 'custom-model') {
      // `custom-model/<base model id>/<job id>`: a fine-tuned (customised) copy of the base model.
      const base = id.slice(0, id.lastIndexOf('/') > 0 ? id.lastIndexOf('/') : id.length);
      return fineTunedName(out, push, `ft:${base}`, base, 'aws', id);
    } else {
      // application-inference-profile/<id>, provisioned-model/<id>: only the user knows the model.
      const what =
        kind === 'application-inference-profile'
          ? 'Bedrock application inference profile'
          : kind === 'provisioned-model'
            ? 'Bedrock provisioned model (custom model or provisioned throughput)'
            : `Bedrock ${kind}`;
      return { candidates: out, free: false, platform, route, needsMap: what, mapKey: id };
    }
  }
  const endpoint = VERTEX_ENDPOINT.exec(n);
  if (endpoint) {
    return {
      candidates: out,
      free: false,
      platform: 'google',
      route: 'google',
      needsMap: 'Vertex AI endpoint (a tuned model or a Model Garden deployment)',
      mapKey: endpoint[1]!,
    };
  }
  if (n.startsWith('ft:')) {
    // OpenAI `ft:<base>:<org>:<suffix>:<id>`: only a fine-tuned price applies, looked up as
    // `ft:<base>` (and by match rules on the whole name); the base model's own price never does.
    const base = n.slice(3).split(':')[0] ?? '';
    return fineTunedName(out, push, n, base, undefined, undefined);
  }
  const azureFt = AZURE_FINE_TUNED.exec(n);
  if (azureFt) return fineTunedName(out, push, n, azureFt[1]!, undefined, undefined);
  if (n.startsWith('@cf/')) {
    // Cloudflare Workers AI ids (`@cf/meta/llama-3.1-8b-instruct`) run on Cloudflare, whoever made the model.
    route = 'cloudflare';
    platform = 'cloudflare';
    n = n.slice(4);
    push(n, 'Cloudflare @cf/ id', route);
  }
  const variant = OPENROUTER_VARIANT.exec(n);
  if (variant) {
    if (variant[1] === 'free') free = true;
    platform = 'openrouter';
    n = n.slice(0, variant.index);
    push(n, `OpenRouter :${variant[1]} variant`);
  }
  if (n.startsWith('accounts/fireworks/')) route ??= 'fireworks';
  // Vertex AI Model Garden shapes: a `-maas` id (`openai/gpt-oss-120b-maas`) and a publisher path
  // (`publishers/meta/models/…`, `projects/…/publishers/…`) ran on Vertex, whoever made the model.
  if (VERTEX_MAAS.test(n)) route ??= 'google';
  const prefixed = PATH_PREFIX.exec(n);
  if (prefixed) {
    n = n.slice(prefixed[0].length);
    push(n, 'path prefix (models/, accounts/…/models/)', route);
  }
  // A routed name is cut at its FIRST segment when that names a provider or router: the rest is that
  // provider's own id (`groq/openai/gpt-oss-120b` → Groq's `openai/gpt-oss-120b`).
  const first = n.indexOf('/');
  if (first > 0) {
    const named = isProvider(n.slice(0, first));
    if (named) {
      route ??= named;
      hint = named;
      platform ??= named;
      n = n.slice(first + 1);
      push(n, 'route prefix (provider/…)', named);
    }
  }
  const slash = n.lastIndexOf('/');
  if (slash >= 0) {
    const head = n.slice(0, n.indexOf('/'));
    // The vendor slug of a reseller's id (`meta-llama/…`, `openai/gpt-oss-120b`): a hint for choosing
    // between entries of the same name, never the platform the call ran on.
    hint ??= canonicalProvider(head);
    n = n.slice(slash + 1);
    push(n, 'vendor prefix (vendor/model)', hint);
  }
  const bedrock = BEDROCK.exec(n);
  if (bedrock) {
    const vendor = bedrock[1]!;
    const rest = bedrock[2]!;
    push(`${vendor}.${rest}`, 'Bedrock region prefix');
    platform = 'aws';
    route ??= 'aws';
    hint = canonicalProvider(vendor === 'amazon' ? 'aws' : vendor) ?? hint;
    n = rest.replace(BEDROCK_VERSION, '');
    push(n, 'Bedrock vendor and version', hint);
  }
  const at = n.indexOf('@');
  if (at > 0) {
    const base = n.slice(0, at);
    const ver = n.slice(at + 1);
    const noV = base.replace(VERSION_SUFFIX, '');
    platform ??= 'google';
    if (ver !== '' && ver !== 'default' && ver !== 'latest') {
      push(`${base}-${ver}`, 'Vertex @version as suffix', hint);
      if (noV !== base) push(`${noV}-${ver}`, 'Vertex @version without -vN', hint);
    }
    push(base, 'Vertex @version removed', hint);
    n = base;
  }
  let core = n;
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of SUFFIXES) {
      if (s.pattern.test(core)) {
        const shorter = core.replace(s.pattern.re, '');
        if (NEEDS_VERSIONED_BASE.has(s.rule) && !HAS_DIGIT.test(shorter)) continue;
        core = shorter;
        push(core, s.rule, hint);
        changed = true;
        break;
      }
    }
  }
  // `claude-3.5-sonnet` (OpenRouter, Vertex) vs `claude-3-5-sonnet` (Anthropic).
  const count = out.length;
  for (let i = 0; i < count; i++) {
    const c = out[i]!;
    if (c.name.includes('.')) {
      const dashed = c.name.replace(DIGIT_DOT, '$1-$2');
      if (dashed !== c.name) push(dashed, `${c.rule}, dots as dashes`, c.providerHint);
    }
  }
  const result: DecomposedName = { candidates: out, free };
  if (platform) result.platform = platform;
  if (route) result.route = route;
  if (mapKey) result.mapKey = mapKey;
  return result;
}

/**
 * The candidates of a fine-tuned model: its own name and `ft:<base>` (with the base's dated snapshot
 * removed too, `ft:gpt-4o-mini-2024-07-18` → `ft:gpt-4o-mini`), never the base model itself.
 */
function fineTunedName(
  out: NameCandidate[],
  push: (name: string, rule: string, providerHint?: string) => void,
  full: string,
  base: string,
  route: string | undefined,
  mapKey: string | undefined,
): DecomposedName {
  const ft = `ft:${base}`;
  if (ft !== full) push(ft, 'fine-tuned model (ft:<base>)', route);
  let core = base;
  for (const s of SUFFIXES.slice(0, 4)) {
    if (s.pattern.test(core)) {
      core = core.replace(s.pattern.re, '');
      push(`ft:${core}`, `fine-tuned model (ft:<base>), ${s.rule}`, route);
      break;
    }
  }
  const result: DecomposedName = { candidates: out, free: false, fineTuned: base };
  if (route) {
    result.route = route;
    result.platform = route;
  }
  if (mapKey) result.mapKey = mapKey;
  return result;
}
