import { describe, expect, it } from 'vitest';
import {
  DROPPED_QUOTE,
  describeError,
  errorClassName,
  errorHttpStatus,
  MAX_ERROR_TEXT,
  REDACTED,
  redactErrorText,
  redactSecrets,
  SCAN_LIMIT,
  SECRET_RULES,
} from '../../../src/ledger/redact.js';

// [text, the secret that must be gone, what must remain]
const SECRETS: [string, string, string][] = [
  ['Invalid request for key sk-SECRET-KEY: rejected', 'SECRET-KEY', 'sk-[REDACTED]: rejected'],
  ['key sk-proj-AbCdEf0123456789_xyz-ABC is invalid', 'AbCdEf0123456789', 'sk-proj-[REDACTED] is invalid'],
  ['x-api-key sk-ant-api03-Zx9_abcdefghijKLMNOP-qq', 'api03-Zx9', 'sk-ant-[REDACTED]'],
  ['svc sk-svcacct-0123456789abcdef', '0123456789abcdef', 'sk-svcacct-[REDACTED]'],
  [
    'langfuse sk-lf-1234abcd-5678-efgh-9012 pk-lf-9876fedc-5432-ba10',
    '1234abcd',
    'sk-lf-[REDACTED] pk-lf-[REDACTED]',
  ],
  ['or sk-or-v1-0123456789abcdef0123', '0123456789abcdef0123', 'sk-or-v1-[REDACTED]'],
  ['stripe sk_live_51Habcdefgh rk_test_0123456789', '51Habcdefgh', 'sk_live_[REDACTED] rk_test_[REDACTED]'],
  ['google AIzaSyA-1234567890abcdefghijklmnopqrstu', 'SyA-1234567890', 'AIza[REDACTED]'],
  ['oauth ya29.a0AfH6SMBx1234567890abcdefg', 'a0AfH6SMBx', 'ya29.[REDACTED]'],
  ['Authorization: Bearer abc.def-ghi_jkl~123', 'abc.def-ghi', 'Authorization: Bearer [REDACTED]'],
  ['header bearer eyJhbGciOi.eyJzdWIi.sig', 'eyJhbGciOi', 'bearer [REDACTED]'],
  ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA', 'Authorization: Basic [REDACTED]'],
  [
    'id AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A',
    'IOSFODNN7EXAMPLE',
    'AKIA[REDACTED] and ASIA[REDACTED]',
  ],
  [
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'wJalrXUtnFEMI',
    'aws_secret_access_key = [REDACTED]',
  ],
  [
    '{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}',
    'wJalrXUtnFEMI',
    '"SecretAccessKey": "[REDACTED]"',
  ],
  ['AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEJr', 'IQoJb3JpZ2luX2VjEJr', 'AWS_SESSION_TOKEN=[REDACTED]'],
  [
    'slack xoxb-1234567890-abcdefghij xapp-1-A0B1C2D3E4',
    '1234567890-abcdefghij',
    'xoxb-[REDACTED] xapp-[REDACTED]',
  ],
  ['gh ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_[REDACTED]'],
  ['hf hf_abcdefghijklmnopqrstuvwxyz012345', 'abcdefghijklmnopqrstuvwxyz012345', 'hf_[REDACTED]'],
  [
    'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end',
    'dozjgNryP4J3jVmNHl0w5N',
    'jwt [REDACTED] end',
  ],
  ['proxy https://admin:hunter2@proxy.example.com/v1', 'hunter2', 'https://[REDACTED]@proxy.example.com/v1'],
  ['redis://:s3cret@cache:6379/0', 's3cret', 'redis://[REDACTED]@cache:6379/0'],
  ['GET /v1/models?api_key=abc123&alt=json', 'abc123', '?api_key=[REDACTED]&alt=json'],
  ['GET /v1beta/models?key=AIzaXYZ&x=1', 'AIzaXYZ', '?key=[REDACTED]&x=1'],
  ['https://blob/x?sv=2020&sig=abcDEF%2B123&se=1', 'abcDEF', 'sig=[REDACTED]&se=1'],
  [
    's3?X-Amz-Credential=AKIDEXAMPLE%2F2024&X-Amz-Signature=deadbeef',
    'deadbeef',
    'X-Amz-Signature=[REDACTED]',
  ],
  [
    'token=abc.def password: hunter2 client_secret=xyz',
    'hunter2',
    'token=[REDACTED] password: [REDACTED] client_secret=[REDACTED]',
  ],
  [
    '{"api_key":"k-123","access_token": "t-456"}',
    't-456',
    '{"api_key":"[REDACTED]","access_token": "[REDACTED]"}',
  ],
  ['OPENAI_API_KEY=sk-abcdefghijklmnop', 'abcdefghijklmnop', 'OPENAI_API_KEY=[REDACTED]'],
  [
    'key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- done',
    'MIIEow',
    'key [REDACTED] done',
  ],
];

// Text that must come back unchanged.
const NEAR_MISSES = [
  'model gpt-4o-mini is not available; try claude-3-5-sonnet-20241022 or gemini-1.5-pro',
  'task-oriented, disk-backed, risk-free, ask-me, sk-learn, sk-8',
  'The server had an error while processing your request. Sorry about that!',
  'Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Used 29000',
  'maximum context length is 8192 tokens, you requested 9000 tokens (max_tokens: 1000)',
  'prompt_tokens=10 completion_tokens=5 next_page=2',
  'Basic usage is free; Bearer authentication is the default',
  'see https://platform.openai.com/docs/guides/error-codes/api-errors',
  'connect ECONNREFUSED 127.0.0.1:443',
  'commit 3f2a9c0e1b4d5a6f7e8d9c0b1a2f3e4d5c6b7a89',
  'AKIA is a prefix; AKIAshort',
  'monkey=3 turkey=5',
  'us.anthropic.claude-3-5-sonnet-20241022-v2:0 on bedrock',
];

describe('redactSecrets', () => {
  it.each(SECRETS)('%s', (text, secret, kept) => {
    const out = redactSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(kept);
  });

  it.each(NEAR_MISSES)('leaves alone: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
    expect(redactErrorText(text, 1000)).toBe(text);
  });

  it('replaces control characters (no forged log lines) and cuts long text', () => {
    expect(redactSecrets('a\nb\r\u2028c\u0000')).toBe('a b  c ');
    expect(redactSecrets('x '.repeat(5000), 100)).toHaveLength(100);
    // One word longer than the scan limit is dropped whole (it may be a secret).
    expect(redactSecrets('x'.repeat(5000))).toBe('…');
  });

  it('every rule has a name and a global pattern (no lastIndex state between calls)', () => {
    for (const r of SECRET_RULES) {
      expect(r.name).not.toBe('');
      expect(r.pattern.global).toBe(true);
    }
    const t = 'key sk-abcdefghijklmnop';
    expect(redactSecrets(t)).toBe(redactSecrets(t));
  });
});

describe('redactErrorText', () => {
  it('drops quoted text, keeps lowercase parameter names and the status', () => {
    expect(
      redactErrorText('400 Invalid request for key sk-SECRET-KEY: prompt "SECRET-PROMPT-123" rejected'),
    ).toBe('400 Invalid request for key sk-[REDACTED]: prompt "[…]" rejected');
    expect(
      redactErrorText("Unrecognized request argument supplied: 'foo_bar' in 'messages[0].content'"),
    ).toBe("Unrecognized request argument supplied: 'foo_bar' in 'messages[0].content'");
    expect(redactErrorText("echo `rm -rf` “smart quotes here” and 'single quoted'")).toBe(
      "echo `[…]` “[…]” and '[…]'",
    );
    // Apostrophes are not quotes.
    expect(redactErrorText("This model's maximum context length isn't enough")).toBe(
      "This model's maximum context length isn't enough",
    );
  });

  it('keeps the message of a JSON error body, dropping the quotes inside it and every other value', () => {
    const body = JSON.stringify({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'prompt "SECRET-PROMPT" is too long: 210000 tokens' },
      request: { content: 'SECRET-PROMPT again' },
    });
    const out = redactErrorText(`400 ${body}`, 1000);
    expect(out).not.toContain('SECRET');
    expect(out).toBe(
      '400 {"type":"error","error":{"type":"invalid_request_error","message":"prompt \\"[…]\\" is too long: 210000 tokens"},"request":{"content":"[…]"}}',
    );
  });

  it('drops everything after an unclosed quote (an echo cut short)', () => {
    expect(redactErrorText('rejected prompt "SECRET-PROMPT and more')).toBe(
      `rejected prompt "${DROPPED_QUOTE}`,
    );
  });

  it(`cuts to ${MAX_ERROR_TEXT} characters, and never leaves half a secret at the scan limit`, () => {
    const long = `400 ${'word '.repeat(100)}`;
    const out = redactErrorText(long);
    expect(out).toHaveLength(MAX_ERROR_TEXT);
    expect(out.endsWith('…')).toBe(true);
    // A key straddling the scan limit: the part before the limit must not survive.
    const pad = 'a '.repeat(Math.floor((SCAN_LIMIT - 10) / 2));
    const straddling = `${pad}sk-PARTIALKEY0123456789`;
    expect(redactSecrets(straddling, 100_000)).not.toContain('sk-PART');
    // Shrinking redactions cannot pull the cut part into view either.
    const many = `${'sk-abcdefghijklmnop '.repeat(300)}sk-TAILKEY0123456789`;
    expect(redactErrorText(many, 100_000)).not.toContain('TAILKEY');
  });

  it('is idempotent', () => {
    for (const [text] of SECRETS) {
      const once = redactErrorText(text);
      expect(redactErrorText(once)).toBe(once);
    }
    const once = redactErrorText('400 Invalid request for key sk-SECRET-KEY: prompt "SECRET" rejected');
    expect(redactErrorText(once)).toBe(once);
  });

  it('runs in linear time on adversarial input (no catastrophic backtracking)', () => {
    const n = 200_000;
    const inputs = [
      'eyJ'.repeat(n / 3),
      'eyJa.'.repeat(n / 5),
      'sk-'.repeat(n / 3),
      `${'sk-a'.repeat(n / 4)}[`,
      'bearer aaaaaaaa'.repeat(n / 15),
      'x-'.repeat(n / 2),
      'a://'.repeat(n / 4),
      'https://a'.repeat(n / 9),
      'api_key'.repeat(n / 7),
      'token: '.repeat(n / 7),
      'Bearer '.repeat(n / 7),
      '"'.repeat(n),
      "'a".repeat(n / 2),
      '"message":"'.repeat(n / 11),
      '-----BEGIN PRIVATE KEY-----'.repeat(n / 27),
      'AKIA'.repeat(n / 4),
      '\\"'.repeat(n / 2),
      'a'.repeat(n),
    ];
    for (const text of inputs) {
      const t0 = performance.now();
      redactErrorText(text);
      redactSecrets(text);
      // The rules themselves, on the whole 200 KB (the public functions look at SCAN_LIMIT only):
      // quadratic matching would take minutes here.
      for (const rule of SECRET_RULES) text.replace(rule.pattern, rule.replace);
      expect(performance.now() - t0, text.slice(0, 20)).toBeLessThan(500);
    }
  });
});

describe('describeError', () => {
  class BadRequestError extends Error {
    status = 400;
  }

  it("stores the redacted message by default, and class and status only with 'status-only'", () => {
    const err = new BadRequestError('400 bad key sk-abcdefghijklmnop for prompt "hello there"');
    expect(describeError(err)).toBe('400 bad key sk-[REDACTED] for prompt "[…]"');
    expect(describeError(err, 'status-only')).toBe('BadRequestError (HTTP 400)');
    expect(describeError('plain string sk-abcdefghijklmnop')).toBe(`plain string sk-${REDACTED}`);
    expect(describeError({ message: 'obj' })).toBe('obj');
    expect(describeError({ code: 'x' })).toBe('{"code":"x"}');
    expect(describeError(new Error(''))).toBe('Error');
  });

  it('finds the HTTP status where the SDKs put it', () => {
    expect(errorHttpStatus({ status: 429 })).toBe(429);
    expect(errorHttpStatus({ statusCode: '503' })).toBe(503);
    expect(errorHttpStatus({ response: { status: 401 } })).toBe(401);
    expect(errorHttpStatus({ $metadata: { httpStatusCode: 403 } })).toBe(403);
    expect(errorHttpStatus({ cause: { status: 500 } })).toBe(500);
    expect(errorHttpStatus({ status: 42 })).toBeUndefined();
    expect(errorHttpStatus('500')).toBeUndefined();
    const named = Object.assign(new Error('x'), { name: 'RateLimitError' });
    expect(errorClassName(named)).toBe('RateLimitError');
    expect(errorClassName({ name: '<script>' })).toBe('Error');
  });

  it('never throws, whatever it is given', () => {
    const throwing = new Proxy(
      {},
      {
        get() {
          throw new Error('getter');
        },
        getPrototypeOf() {
          throw new Error('proto');
        },
      },
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const hostile: unknown[] = [
      undefined,
      null,
      0,
      10n,
      Symbol('s'),
      () => 1,
      throwing,
      cyclic,
      {
        toJSON: () => {
          throw new Error('json');
        },
      },
      {
        message: {
          toString: () => {
            throw new Error('ts');
          },
        },
      },
      Object.create(null),
      'x'.repeat(1_000_000),
    ];
    for (const h of hostile) {
      for (const d of ['redacted', 'status-only'] as const) {
        const out = describeError(h, d);
        expect(typeof out).toBe('string');
        expect(out.length).toBeLessThanOrEqual(MAX_ERROR_TEXT);
      }
    }
    expect(redactSecrets(throwing as never)).toBe(REDACTED);
  });
});
