import { describeValue, InvalidArgumentError } from '../errors.js';

/**
 * Provider ids. Canonical ids follow the bundled catalog (genai-prices ids: `openai`, `anthropic`,
 * `google`, `aws`, `azure`, `mistral`, `x-ai`, …). Emitters name providers many ways
 * (`gen_ai.provider.name`, LangChain `ls_provider`, Vercel AI `ai.model.provider`); this maps them.
 */

const ALIASES: Record<string, string> = {
  openai: 'openai',
  'openai.chat': 'openai',
  'openai.responses': 'openai',
  'openai.completion': 'openai',
  'openai.embedding': 'openai',
  azure: 'azure',
  azure_openai: 'azure',
  'azure-openai': 'azure',
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  azure_ai: 'azure',
  'azure-ai': 'azure',
  anthropic: 'anthropic',
  'anthropic.messages': 'anthropic',
  google: 'google',
  google_genai: 'google',
  'google-genai': 'google',
  'google.generative-ai': 'google',
  'google.generative_ai': 'google',
  googleai: 'google',
  gemini: 'google',
  'gcp.gemini': 'google',
  'gcp.gen_ai': 'google',
  'gcp.vertex_ai': 'google',
  vertex: 'google',
  vertexai: 'google',
  vertex_ai: 'google',
  'google.vertex': 'google',
  'google-vertex': 'google',
  google_vertexai: 'google',
  'google.vertex.chat': 'google',
  aws: 'aws',
  bedrock: 'aws',
  'aws.bedrock': 'aws',
  'amazon-bedrock': 'aws',
  amazon_bedrock: 'aws',
  'amazon.bedrock': 'aws',
  'bedrock-converse': 'aws',
  bedrock_converse: 'aws',
  mistral: 'mistral',
  mistralai: 'mistral',
  mistral_ai: 'mistral',
  'mistral.chat': 'mistral',
  groq: 'groq',
  'groq.chat': 'groq',
  xai: 'x-ai',
  x_ai: 'x-ai',
  'x-ai': 'x-ai',
  'xai.chat': 'x-ai',
  deepseek: 'deepseek',
  'deepseek.chat': 'deepseek',
  cohere: 'cohere',
  cohere_chat: 'cohere',
  openrouter: 'openrouter',
  together: 'together',
  togetherai: 'together',
  together_ai: 'together',
  'together-ai': 'together',
  fireworks: 'fireworks',
  fireworks_ai: 'fireworks',
  'fireworks-ai': 'fireworks',
  perplexity: 'perplexity',
  ollama: 'ollama',
  vllm: 'vllm',
  lmstudio: 'lmstudio',
  'lm-studio': 'lmstudio',
  lm_studio: 'lmstudio',
  llamacpp: 'llamacpp',
  'llama.cpp': 'llamacpp',
  'llama-cpp': 'llamacpp',
  llama_cpp: 'llamacpp',
  llamafile: 'llamafile',
  localai: 'localai',
  'local-ai': 'localai',
  sglang: 'sglang',
  cerebras: 'cerebras',
  moonshot: 'moonshotai',
  moonshotai: 'moonshotai',
  voyage: 'voyageai',
  voyageai: 'voyageai',
  huggingface: 'huggingface',
  zhipuai: 'zhipuai',
  // Resellers, routers and gateways: named as the first segment of a routed model name
  // (`deepinfra/google/gemma-3-27b-it`), they say where the call ran.
  cloudflare: 'cloudflare',
  'workers-ai': 'cloudflare',
  workers_ai: 'cloudflare',
  'cloudflare-workers-ai': 'cloudflare',
  cloudflare_workers_ai: 'cloudflare',
  deepinfra: 'deepinfra',
  novita: 'novita',
  nebius: 'nebius',
  baseten: 'baseten',
  sambanova: 'sambanova',
  hyperbolic: 'hyperbolic',
  replicate: 'replicate',
  anyscale: 'anyscale',
  lambda_ai: 'lambda-ai',
  'lambda-ai': 'lambda-ai',
  vercel_ai_gateway: 'vercel-ai-gateway',
  'vercel-ai-gateway': 'vercel-ai-gateway',
  github_copilot: 'github-copilot',
  'github-copilot': 'github-copilot',
  ovhcloud: 'ovhcloud',
  scaleway: 'scaleway',
  nscale: 'nscale',
  databricks: 'databricks',
  watsonx: 'watsonx',
  oci: 'oci',
  snowflake: 'snowflake',
  dashscope: 'dashscope',
  avian: 'avian',
  doubleword: 'doubleword',
  featherless_ai: 'featherless-ai',
  friendliai: 'friendliai',
  nvidia_nim: 'nvidia-nim',
  'nvidia-nim': 'nvidia-nim',
  zai: 'zai',
  minimax: 'minimax',
  'text-completion-openai': 'openai',
  codestral: 'mistral',
  gemini_api: 'google',
};

/**
 * Providers that resell other providers' models; when no hint is given, a model's home provider
 * is preferred over these.
 */
const RESELLERS = new Set([
  'openrouter',
  'azure',
  'together',
  'fireworks',
  'novita',
  'cloudflare',
  'deepinfra',
  'nebius',
  'baseten',
  'vercel-ai-gateway',
  'replicate',
  'github-copilot',
  'quicksilverpro',
]);

/** Home providers, preferred in this order when a name exists under several providers and no hint is given. */
const HOME_ORDER = [
  'openai',
  'anthropic',
  'google',
  'mistral',
  'x-ai',
  'deepseek',
  'cohere',
  'aws',
  'groq',
  'perplexity',
];

function isMap(v: unknown): boolean {
  try {
    return v instanceof Map;
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws
  }
}

/** The alias table's entry for a name; own keys only (`constructor` or `toString` is no provider). */
function alias(h: string): string | undefined {
  return Object.hasOwn(ALIASES, h) ? ALIASES[h] : undefined;
}

/**
 * Map any provider name an emitter uses to the catalog's canonical provider id (lower-case).
 * @throws {InvalidArgumentError} when `hint` is neither a string nor empty (null/undefined), or
 * `extraAliases` is not a Map.
 */
export function canonicalProvider(
  hint: string | undefined | null,
  extraAliases?: ReadonlyMap<string, string>,
): string | undefined {
  if (!hint) return undefined;
  if (typeof hint !== 'string') {
    throw new InvalidArgumentError('provider', `expected a provider name, got ${describeValue(hint)}`);
  }
  if (extraAliases !== undefined && !isMap(extraAliases)) {
    throw new InvalidArgumentError('extraAliases', `expected a Map, got ${describeValue(extraAliases)}`);
  }
  const h = hint.trim().toLowerCase();
  if (h === '') return undefined;
  const extra = extraAliases?.get(h);
  if (extra) return extra;
  const known = alias(h);
  if (known) return known;
  if (h.startsWith('huggingface')) return h;
  // Vercel AI SDK style `provider.api` (e.g. `openai.chat`, `google.generative-ai`).
  const dot = h.indexOf('.');
  if (dot > 0) {
    const head = h.slice(0, dot);
    return extraAliases?.get(head) ?? alias(head) ?? head;
  }
  return h;
}

/**
 * The canonical id of a name that is a known provider, router or gateway (the alias table only; no
 * guessing): the test for the first segment of a routed model name. Undefined for anything else,
 * e.g. a vendor's Hugging Face organisation (`meta-llama`, `deepseek-ai`).
 */
export function knownProvider(name: string): string | undefined {
  return alias(name.trim().toLowerCase());
}

/**
 * Providers that make the models they price (a model's direct, first-party price), as opposed to
 * hosts and resellers. When the provider a call names has no price for a model, only its maker's
 * price may stand in (flagged as a guess): one reseller's price says nothing about another's.
 */
const MODEL_MAKERS = new Set([
  'openai',
  'anthropic',
  'google',
  'mistral',
  'x-ai',
  'deepseek',
  'cohere',
  'moonshotai',
  'zhipuai',
  'zai',
  'minimax',
  'perplexity',
  'voyageai',
]);

/** Whether a (canonical) provider makes the models it prices; see {@link MODEL_MAKERS}. */
export function isModelMaker(provider: string): boolean {
  return MODEL_MAKERS.has(provider);
}

/** Rank of resellers in {@link providerRank}. */
export const RESELLER_RANK = 1000;

/** Rank of a provider when choosing between entries without a hint: lower is preferred. */
export function providerRank(provider: string): number {
  const i = HOME_ORDER.indexOf(provider);
  if (i >= 0) return i;
  return RESELLERS.has(provider) || provider.startsWith('huggingface') ? RESELLER_RANK : 100;
}

/**
 * The self-hosted column: providers that run models on your own hardware. Their calls cost $0 with
 * `source: 'free'` and their usage counted (the catalog's default free providers), unless your own
 * price file prices the model, at a rate per 1M tokens of your choosing (docs/pricing.md,
 * "Self-hosted models"). Canonical ids; the alias table above maps `lm-studio`, `llama.cpp`, … onto them.
 */
export const SELF_HOSTED_PROVIDERS: readonly string[] = Object.freeze([
  'ollama',
  'vllm',
  'lmstudio',
  'llamacpp',
  'llamafile',
  'localai',
  'sglang',
  // Any model served from a local endpoint (a base URL on this machine) that no price names.
  'self-hosted',
]);

const LOOPBACK_V4 = /^127(?:\.\d{1,3}){3}$/;
const LOCAL_NAMES = new Set(['localhost', '0.0.0.0', '::1', '[::1]', 'host.docker.internal']);

/**
 * Whether a base URL or host (`http://127.0.0.1:11434/v1`, `localhost:1234`, `[::1]`) is on this
 * machine: loopback addresses, `localhost` and its subdomains, `0.0.0.0` and Docker's
 * `host.docker.internal`. Private network addresses are not: a gateway on the LAN usually forwards
 * to a paid API. Anything unreadable is not local.
 */
export function isLocalEndpoint(endpoint: unknown): boolean {
  if (typeof endpoint !== 'string' || endpoint.length === 0 || endpoint.length > 2048) return false;
  let host = endpoint.trim().toLowerCase();
  const scheme = host.indexOf('://');
  if (scheme >= 0) host = host.slice(scheme + 3);
  const at = host.lastIndexOf('@', host.search(/[/?#]|$/));
  if (at >= 0) host = host.slice(at + 1);
  host = host.split(/[/?#]/, 1)[0] ?? '';
  if (host.startsWith('[')) host = host.slice(0, host.indexOf(']') + 1);
  else if (host.split(':').length === 2) host = host.slice(0, host.indexOf(':'));
  return LOCAL_NAMES.has(host) || host.endsWith('.localhost') || LOOPBACK_V4.test(host);
}
