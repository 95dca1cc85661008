/**
 * Redaction of error text before it is stored anywhere: the ledger's `status_message`, CSV and JSON
 * exports, the HTML report, log lines and warnings.
 *
 * Why: a provider's error message is written by the provider, not by us, and some echo what they
 * were sent — an API key (`Invalid request for key sk-…`), an `Authorization` header, a signed URL,
 * or the prompt itself (`prompt "…" rejected`). A cost ledger is shared, exported and attached to
 * reports; it must not become a copy of the keys and prompts that failed.
 *
 * What is done, in order, to a bounded prefix of the text (never more than {@link SCAN_LIMIT}
 * characters are looked at, so the cost is bounded whatever the input):
 *
 * 1. control characters become spaces (in log text also tab, CR and LF: no forged log lines);
 * 2. every secret of {@link SECRET_RULES} is replaced by `[REDACTED]` (a token keeps its
 *    non-secret kind prefix, e.g. `sk-proj-[REDACTED]`, `AKIA[REDACTED]`, `Bearer [REDACTED]`);
 * 3. error text only ({@link redactErrorText}): every quoted string (`"…"`, `'…'`, `` `…` ``, `“…”`)
 *    is replaced by `"[…]"` unless it is a lowercase parameter name or path such as `'max_tokens'`
 *    or `"messages[0].content"` — quoted text is where providers echo prompts, and an echo cannot
 *    be told from a prompt reliably, so it is dropped whole; an unclosed quote drops the rest;
 * 4. the result is cut to `maxLength` (default {@link MAX_ERROR_TEXT} for error text) with `…`.
 *
 * Linear time: every pattern is a literal or short bounded prefix followed by one run of a single
 * character class that either succeeds greedily or fails within a bounded number of characters;
 * patterns whose run is followed by more pattern (JWTs, URLs) start only at the start of a run, so
 * runs are never rescanned from inside. The quote scanner is a single pass. Nothing here throws.
 *
 * What it cannot do: recognise a secret or prompt that has no shape and no label (a bare password in
 * running text, a prompt the provider echoes without quotes). Use `errorDetail: 'status-only'` on the
 * tracker to store only the error class and HTTP status.
 * @packageDocumentation
 */

/**
 * How much of a failed call's error is stored (`CostTrackerOptions.errorDetail`):
 * - `redacted` (default): the error message with secrets and quoted text removed, at most
 *   {@link MAX_ERROR_TEXT} characters;
 * - `status-only`: only the error class and the HTTP status, e.g. `BadRequestError (HTTP 400)`.
 */
export type ErrorDetail = 'redacted' | 'status-only';

/** The values of {@link ErrorDetail}. */
export const ERROR_DETAILS: readonly ErrorDetail[] = Object.freeze(['redacted', 'status-only']);

/** Most characters of error text stored for a failed call (a longer text is cut and ends in `…`). */
export const MAX_ERROR_TEXT = 200;

/** Most characters of a log message or warning after redaction. */
export const MAX_LOG_TEXT = 2000;

/**
 * Characters of input looked at. The rest is dropped before any matching (with the partial word at
 * the cut, so no half secret survives), which bounds the cost of every call.
 */
export const SCAN_LIMIT = 4096;

/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** What a quoted string of error text is replaced with (inside its quotes). */
export const DROPPED_QUOTE = '[…]';

/** One kind of secret: a pattern (global flag) and its replacement. */
export interface SecretRule {
  /** What it catches, for docs and tests. */
  name: string;
  /** Global pattern; see the module notes for the shape that keeps it linear. */
  pattern: RegExp;
  /** `$1`-style replacement. */
  replace: string;
}

// Labels whose value is a secret, case-insensitive, followed by `:` or `=` (JSON quotes allowed). A
// label must start a word (`OPENAI_API_KEY=` counts, the `KEY` of `sk-SECRET-KEY:` does not).
const LABELS = [
  'aws[_-]?secret[_-]?access[_-]?key',
  'secret[_-]?access[_-]?key',
  'aws[_-]?session[_-]?token',
  'session[_-]?token',
  'security[_-]?token',
  'secret[_-]?key',
  'private[_-]?key',
  'client[_-]?secret',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-credential',
  'x-goog-api-key',
  'x-api-key',
  'api[_-]?key',
  'access[_-]?token',
  'refresh[_-]?token',
  'id[_-]?token',
  'auth[_-]?token',
  'token',
  'secret',
  'password',
  'passwd',
  'authorization',
  'credentials?',
].join('|');

/**
 * The secrets recognised, in the order they are applied. Each body is bounded or ends at the first
 * character outside its class.
 */
export const SECRET_RULES: readonly SecretRule[] = Object.freeze([
  {
    name: 'PEM private key block',
    pattern: /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]{0,40}PRIVATE KEY-----|$)/g,
    replace: REDACTED,
  },
  {
    name: 'credentials in a URL (scheme://user:password@host)',
    pattern: /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,15}:\/\/)[^\s/?#@"'<>\\]+@/g,
    replace: `$1${REDACTED}@`,
  },
  {
    name: 'labelled secret (api_key=…, "token": "…", Authorization: Basic …, aws_secret_access_key = …)',
    pattern: new RegExp(
      `(?<![A-Za-z0-9-])(${LABELS})(?![A-Za-z0-9])(["']?\\s{0,3}[:=]\\s{0,3}["']?\\s{0,3})(?!(?:bearer|basic|token)\\s{1,4}\\[)((?:bearer|basic|token)\\s{1,4})?[^\\s"'\`&,;<>(){}\\[\\]\\\\]+`,
      'gi',
    ),
    replace: `$1$2$3${REDACTED}`,
  },
  {
    name: 'query parameter key=, sig=, signature=',
    pattern: /(?<![A-Za-z0-9])(key|sig|signature)=[^\s"'`&#<>\\]+/gi,
    replace: `$1=${REDACTED}`,
  },
  {
    name: 'Bearer token',
    // A token has a digit or a symbol, or is long: `Bearer authentication` is a phrase, not a token.
    pattern:
      /(?<![A-Za-z0-9])(bearer)\s{1,4}(?=[A-Za-z0-9._~+/=-]{8})(?:[A-Za-z0-9._~+/=-]*[0-9._~+/=-][A-Za-z0-9._~+/=-]*|[A-Za-z]{20,})/gi,
    replace: `$1 ${REDACTED}`,
  },
  {
    name: 'OpenAI, Anthropic, OpenRouter and Langfuse keys (sk-…, sk-proj-…, sk-ant-…, sk-lf-…, pk-lf-…, rk-…)',
    pattern:
      /(?<![A-Za-z0-9_-])((?:sk|rk)-(?:ant-|proj-|svcacct-|admin-|lf-|or-v1-)?|pk-lf-)[A-Za-z0-9][A-Za-z0-9_-]{7,}(?![A-Za-z0-9_-]|\[)/g,
    replace: `$1${REDACTED}`,
  },
  {
    name: 'Stripe-style keys (sk_live_…, rk_test_…)',
    pattern: /(?<![A-Za-z0-9])([sr]k_(?:live|test)_)[A-Za-z0-9]{8,}/g,
    replace: `$1${REDACTED}`,
  },
  {
    name: 'Slack tokens (xoxb-…, xoxp-…, xapp-…)',
    pattern: /(?<![A-Za-z0-9])(xox[abposr]-|xapp-)[A-Za-z0-9-]{8,}/g,
    replace: `$1${REDACTED}`,
  },
  {
    name: 'GitHub, GitLab, Hugging Face and npm tokens',
    pattern: /(?<![A-Za-z0-9])(gh[pousr]_|github_pat_|glpat-|hf_|npm_)[A-Za-z0-9_-]{20,}/g,
    replace: `$1${REDACTED}`,
  },
  {
    name: 'Google API keys and OAuth access tokens (AIza…, ya29.…)',
    pattern: /(?<![A-Za-z0-9])(AIza|ya29\.)[A-Za-z0-9_-]{20,}/g,
    replace: `$1${REDACTED}`,
  },
  {
    name: 'AWS access key ids (AKIA…, ASIA…)',
    pattern: /(?<![A-Za-z0-9])(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    replace: `$1${REDACTED}`,
  },
  {
    name: 'JSON Web Tokens (eyJ….….…)',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
    replace: REDACTED,
  },
]);

// Control characters (C0, DEL, C1, line and paragraph separators): replaced in log text, where a
// newline could forge a log line. Stored error text keeps tab, CR and LF (every output escapes them).
// biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
const CONTROL_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g;

const CH_BACKSLASH = 92;
const CH_DOUBLE = 34; // "
const CH_SINGLE = 39; // '
const CH_BACKTICK = 96; // `
const CH_LEFT_CURLY = 0x201c; // “
const CH_RIGHT_CURLY = 0x201d; // ”

/** Characters that make up a word for the cut at SCAN_LIMIT (any run a secret could continue in). */
function isWordChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || // 0-9
    (c >= 65 && c <= 90) || // A-Z
    (c >= 97 && c <= 122) || // a-z
    c === 95 || // _
    c === 45 || // -
    c === 46 || // .
    c === 43 || // +
    c === 47 || // /
    c === 61 || // =
    c === 126 || // ~
    c === 37 // %
  );
}

function isLetterOrDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** A quoted string kept in error text: a lowercase parameter name or path (`max_tokens`, `messages[0].content`). */
function isParameterName(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (n === 0) return true;
  if (n > 40) return false;
  const first = s.charCodeAt(from);
  if (!((first >= 97 && first <= 122) || first === 95)) return false;
  for (let i = from + 1; i < to; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 91 || c === 93;
    if (!ok) return false;
  }
  return true;
}

/** The first `limit` characters, without the partial word at the cut (and `…` when cut). */
function bound(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit;
  // Never keep half a surrogate pair or half a word: the word may be a secret.
  while (end > 0 && isWordChar(text.charCodeAt(end)) && isWordChar(text.charCodeAt(end - 1))) end--;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Cut to `max` characters with `…`, never inside a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

function applyRules(text: string, control: RegExp): string {
  let s = text.replace(control, ' ');
  for (const rule of SECRET_RULES) s = s.replace(rule.pattern, rule.replace);
  return s;
}

/**
 * Keys of a JSON error body whose string value is the provider's message: it is kept as text (its own
 * quoted strings dropped in turn) rather than dropped whole. Values under any other key are dropped
 * unless they are parameter names — an error body that echoes the request (`"content": "…"`) loses it.
 */
const MESSAGE_KEYS: ReadonlySet<string> = new Set([
  'message',
  'msg',
  'detail',
  'error',
  'error_message',
  'reason',
  'description',
  'title',
]);

/** Nesting of message values followed (`{"error": "{\"message\": …}"}`); deeper quotes are dropped. */
const MAX_QUOTE_DEPTH = 3;

/** True when only whitespace and one `:` lie between `from` and `to`. */
function isKeyValueGap(s: string, from: number, to: number): boolean {
  let colon = false;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c === 58 && !colon) colon = true;
    else if (c !== 32 && c !== 9) return false;
  }
  return colon;
}

/** The text of a message value: JSON-unescaped for `"…"`, its quotes dropped in turn, escaped back. */
function messageValue(raw: string, quote: number, depth: number): string {
  if (quote === CH_DOUBLE) {
    let inner: unknown;
    try {
      inner = JSON.parse(`"${raw}"`);
    } catch {
      return DROPPED_QUOTE;
    }
    if (typeof inner !== 'string') return DROPPED_QUOTE;
    return JSON.stringify(dropQuoted(inner, depth + 1)).slice(1, -1);
  }
  return dropQuoted(raw, depth + 1);
}

/**
 * Quoted strings replaced by `[…]` unless they are parameter names (or the message value of a JSON
 * error body, whose own quotes are dropped in turn); an unclosed quote drops the rest. One pass per
 * nesting level: each character is looked at a bounded number of times.
 */
function dropQuoted(s: string, depth = 0): string {
  let out = '';
  let copied = 0;
  let i = 0;
  const n = s.length;
  // End of the last quoted parameter name and whether it names a message value.
  let keyEnd = -1;
  let keyIsMessage = false;
  while (i < n) {
    const c = s.charCodeAt(i);
    let close = -1;
    if (c === CH_DOUBLE || c === CH_BACKTICK) close = c;
    else if (c === CH_LEFT_CURLY) close = CH_RIGHT_CURLY;
    else if (c === CH_SINGLE && (i === 0 || !isLetterOrDigit(s.charCodeAt(i - 1)))) close = c; // not an apostrophe
    if (close < 0) {
      i++;
      continue;
    }
    // Find the closing quote, skipping backslash escapes (JSON bodies inside a message).
    let j = i + 1;
    let end = -1;
    while (j < n) {
      const d = s.charCodeAt(j);
      if (d === CH_BACKSLASH) {
        j += 2;
        continue;
      }
      if (d === close && (close !== CH_SINGLE || j + 1 >= n || !isLetterOrDigit(s.charCodeAt(j + 1)))) {
        end = j;
        break;
      }
      j++;
    }
    if (end < 0) {
      // Unclosed: what follows may be an echo cut short; drop it all.
      return `${out}${s.slice(copied, i + 1)}${DROPPED_QUOTE}`;
    }
    const isValue = keyIsMessage && keyEnd >= 0 && isKeyValueGap(s, keyEnd + 1, i);
    keyEnd = -1;
    keyIsMessage = false;
    if (isValue && depth < MAX_QUOTE_DEPTH) {
      out += `${s.slice(copied, i + 1)}${messageValue(s.slice(i + 1, end), close, depth)}`;
      copied = end;
    } else if (isParameterName(s, i + 1, end)) {
      keyEnd = end;
      keyIsMessage = MESSAGE_KEYS.has(s.slice(i + 1, end));
    } else {
      out += `${s.slice(copied, i + 1)}${DROPPED_QUOTE}`;
      copied = end;
    }
    i = end + 1;
  }
  return out + s.slice(copied);
}

/**
 * A log message or warning with secrets replaced by `[REDACTED]` (see {@link SECRET_RULES}) and
 * control characters by spaces, at most `maxLength` characters. Quoted text is kept (use
 * {@link redactErrorText} for text written by a provider). Never throws.
 */
export function redactSecrets(text: string, maxLength: number = MAX_LOG_TEXT): string {
  try {
    return cut(applyRules(bound(String(text), SCAN_LIMIT), CONTROL), maxLength);
  } catch {
    return REDACTED;
  }
}

/**
 * Error text as stored for a failed call: secrets replaced by `[REDACTED]`, quoted strings by `[…]`
 * (unless they are lowercase parameter names such as `'max_tokens'`), control characters other than
 * tab, CR and LF by spaces,
 * at most `maxLength` characters (default {@link MAX_ERROR_TEXT}). Idempotent. Never throws.
 */
export function redactErrorText(text: string, maxLength: number = MAX_ERROR_TEXT): string {
  try {
    return cut(dropQuoted(applyRules(bound(String(text), SCAN_LIMIT), CONTROL_BUT_WHITESPACE)), maxLength);
  } catch {
    return REDACTED;
  }
}

const CLASS_NAME = /^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$/;

function read(o: unknown, key: string): unknown {
  try {
    return (typeof o === 'object' && o !== null) || typeof o === 'function'
      ? (o as Record<string, unknown>)[key]
      : undefined;
  } catch {
    return undefined;
  }
}

function httpStatus(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

/**
 * The HTTP status of a provider error, when it carries one: `status` (OpenAI, Anthropic, Mistral
 * SDKs), `statusCode`, `response.status`, `$metadata.httpStatusCode` (AWS SDK), or the same on its
 * `cause`. Never throws.
 */
export function errorHttpStatus(err: unknown): number | undefined {
  for (const e of [err, read(err, 'cause')]) {
    const s =
      httpStatus(read(e, 'status')) ??
      httpStatus(read(e, 'statusCode')) ??
      httpStatus(read(read(e, 'response'), 'status')) ??
      httpStatus(read(read(e, '$metadata'), 'httpStatusCode'));
    if (s !== undefined) return s;
  }
  return undefined;
}

/** The class of an error: its `name` unless that is the generic `Error`, else its constructor's name. Never throws. */
export function errorClassName(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'Error';
  const name = read(err, 'name');
  if (typeof name === 'string' && name !== 'Error' && CLASS_NAME.test(name)) return name;
  const ctor = read(err, 'constructor');
  const cname = typeof ctor === 'function' ? read(ctor, 'name') : undefined;
  if (typeof cname === 'string' && cname !== 'Object' && CLASS_NAME.test(cname)) return cname;
  return typeof name === 'string' && CLASS_NAME.test(name) ? name : 'Error';
}

function rawMessage(err: unknown): string {
  if (typeof err === 'string') return err;
  if (typeof err === 'object' && err !== null) {
    const m = read(err, 'message');
    if (typeof m === 'string' && m !== '') return m;
    if (err instanceof Error) return errorClassName(err);
    try {
      const json = JSON.stringify(err);
      if (typeof json === 'string') return json;
    } catch {
      // cyclic, BigInt, throwing getter or toJSON: fall through
    }
    return errorClassName(err);
  }
  return String(err);
}

/**
 * The text stored for a failed call's error (`CostRecord.error`, the ledger's `status_message`).
 * `redacted`: the error message through {@link redactErrorText}; `status-only`: the class and HTTP
 * status only (`BadRequestError (HTTP 400)`). Never throws, whatever `err` is.
 */
export function describeError(
  err: unknown,
  detail: ErrorDetail = 'redacted',
  maxLength: number = MAX_ERROR_TEXT,
): string {
  try {
    if (detail === 'status-only') {
      const status = errorHttpStatus(err);
      return `${errorClassName(err)}${status !== undefined ? ` (HTTP ${status})` : ''}`;
    }
    return redactErrorText(rawMessage(err), maxLength);
  } catch {
    return 'Error';
  }
}
