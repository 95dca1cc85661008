import { describeValue, InvalidArgumentError } from '../errors.js';
import { canonicalProvider } from '../usage/providers.js';
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
}

const OPENROUTER_VARIANT = /:(free|beta|nitro|floor|extended|thinking|online|exacto)$/;
const PATH_PREFIX =
  /^(?:models\/|publishers\/[^/]+\/models\/|projects\/[^/]+\/locations\/[^/]+\/publishers\/[^/]+\/models\/|accounts\/[^/]+\/models\/)/;
const BEDROCK =
  /^(?:(?:us|eu|apac|au|jp|ca|sa|me|af|global|us-gov)\.)?(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|qwen|openai|writer|twelvelabs|stability|minimax|moonshot|moonshotai|google|nvidia)\.(.+)$/;
const BEDROCK_VERSION = /(?:-v\d+(?::\d+)?|:\d+)$/;
const VERSION_SUFFIX = /-v\d+$/;
// Snapshot decorations, tried in order and repeatedly: each strip yields one more candidate.
const SUFFIXES: { re: RegExp; rule: string }[] = [
  { re: /-\d{4}-\d{2}-\d{2}$/, rule: 'dated snapshot (-YYYY-MM-DD)' },
  { re: /-\d{8}$/, rule: 'dated snapshot (-YYYYMMDD)' },
  { re: /-\d{2}-\d{2}$/, rule: 'dated snapshot (-MM-DD)' },
  { re: /-\d{4}$/, rule: 'dated snapshot (-MMDD)' },
  { re: /-\d{3}$/, rule: 'version suffix (-NNN)' },
  { re: /-latest$/, rule: 'alias suffix (-latest)' },
  { re: /-v\d+(?::\d+)?$/, rule: 'version suffix (-vN)' },
];
const DIGIT_DOT = /(\d)\.(\d)/g;
const KNOWN_PLATFORMS = new Set([
  'openai',
  'anthropic',
  'google',
  'mistral',
  'x-ai',
  'deepseek',
  'cohere',
  'groq',
  'aws',
  'azure',
]);

/**
 * Decompose a model name as it arrives (dated, prefixed, regional, versioned) into the names to try.
 * The first candidate is always the exact (lower-cased, trimmed) name; a name longer than
 * {@link MAX_MATCHED_NAME_LENGTH} yields only that candidate (its decorations are not stripped).
 */
export function decomposeModelName(raw: string): DecomposedName {
  // A typeof test only: this runs on the first sight of every name (catalog.resolve).
  if (typeof raw !== 'string')
    throw new InvalidArgumentError('decomposeModelName(raw)', `expected a string, got ${describeValue(raw)}`);
  const out: NameCandidate[] = [];
  const seen = new Set<string>();
  const push = (name: string, rule: string, providerHint?: string) => {
    if (name === '' || seen.has(name)) return;
    seen.add(name);
    out.push(providerHint ? { name, rule, providerHint } : { name, rule });
  };
  let n = raw.trim().toLowerCase();
  push(n, 'exact');
  // Stripping suffixes repeatedly is quadratic in the worst case; a name this long is no model name.
  if (n.length > MAX_MATCHED_NAME_LENGTH) return { candidates: out, free: false };
  let free = false;
  let hint: string | undefined;
  let platform: string | undefined;

  const variant = OPENROUTER_VARIANT.exec(n);
  if (variant) {
    if (variant[1] === 'free') free = true;
    platform = 'openrouter';
    n = n.slice(0, variant.index);
    push(n, `OpenRouter :${variant[1]} variant`);
  }
  if (n.startsWith('ft:')) {
    const base = n.slice(3).split(':')[0] ?? '';
    n = base;
    push(n, 'fine-tune base model');
  }
  const prefixed = PATH_PREFIX.exec(n);
  if (prefixed) {
    n = n.slice(prefixed[0].length);
    push(n, 'path prefix (models/, accounts/…/models/)');
  }
  const slash = n.lastIndexOf('/');
  if (slash >= 0) {
    const head = n.slice(0, n.indexOf('/'));
    hint = canonicalProvider(head);
    // `openai/gpt-4o` (LiteLLM, gateways): a known provider as the first segment names the platform.
    if (hint && KNOWN_PLATFORMS.has(hint)) platform ??= hint;
    n = n.slice(slash + 1);
    push(n, 'provider prefix (provider/model)', hint);
  }
  const bedrock = BEDROCK.exec(n);
  if (bedrock) {
    const vendor = bedrock[1]!;
    const rest = bedrock[2]!;
    push(`${vendor}.${rest}`, 'Bedrock region prefix');
    platform = 'aws';
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
      if (s.re.test(core)) {
        core = core.replace(s.re, '');
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
  return platform ? { candidates: out, free, platform } : { candidates: out, free };
}
