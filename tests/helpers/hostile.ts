/**
 * Hostile inputs for the error-contract fuzz suite (tests/unit/error-contract.test.ts) and the
 * on-demand fuzzer (scripts/fuzz.ts): what a JavaScript caller can pass where the types say
 * otherwise — objects where strings belong, getters and Proxy traps that throw, cycles, BigInts,
 * Symbols, huge strings, null prototypes, fake Dates, revoked Proxies.
 *
 * fast-check inspects generated values (cloning, printing), which a revoked Proxy or a throwing
 * trap would break; so the arbitraries generate *descriptions* and {@link materialize} builds the
 * value inside the property.
 */
import fc from 'fast-check';

const trap = (): never => {
  throw new Error('hostile trap');
};

/** Makers of values fast-check cannot hold itself. */
const MAKERS = {
  throwingProxy: () =>
    new Proxy(
      {},
      { get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap },
    ),
  revokedProxy: () => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    return r.proxy;
  },
  /** Valid on the first read, garbage afterwards (a check-then-use race). */
  flipProxy: () => {
    let n = 0;
    return new Proxy({ input: 10, output: 5 } as Record<string, unknown>, {
      get: (t, k) => (n++ < 3 ? t[k as string] : -1),
    });
  },
  throwingGetters: () => {
    const o: Record<string, unknown> = {};
    for (const k of [
      'model',
      'usage',
      'provider',
      'input',
      'output',
      'totalPico',
      'total',
      'sessionId',
      'endTime',
      'tags',
      'metadata',
    ]) {
      Object.defineProperty(o, k, { get: trap, enumerable: true });
    }
    return o;
  },
  cyclic: () => {
    const o: Record<string, unknown> = { input: 1 };
    o.self = o;
    o.usage = o;
    return o;
  },
  nullProto: () => Object.create(null) as object,
  nullProtoWithKeys: () => Object.assign(Object.create(null) as object, { model: 'gpt-4o', input: 1 }),
  fakeDate: () => Object.create(Date.prototype) as Date,
  invalidDate: () => new Date(Number.NaN),
  farDate: () => new Date(8.64e15),
  symbol: () => Symbol('hostile'),
  bigint: () => 10n ** 30n,
  smallBigint: () => 12n,
  hugeString: () => 'x'.repeat(1 << 20),
  badToString: () => ({ toString: trap, valueOf: trap, [Symbol.toPrimitive]: trap }),
  fn: () => () => 1,
  protoKeys: () => JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 1}') as object,
} as const;

/** A description of a hostile value (plain data fast-check can print and shrink). */
export type HostileSpec = { kind: 'plain'; value: unknown } | { kind: keyof typeof MAKERS };

/** Names of the constructed hostile values. */
export const HOSTILE_KINDS = Object.keys(MAKERS) as (keyof typeof MAKERS)[];

const specialNumbers = fc.constantFrom(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -0,
  1.5,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  1e300,
  -1e-300,
);

const specialStrings = fc.constantFrom(
  '',
  ' ',
  '12',
  '-1',
  'NaN',
  'toString',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'gpt-4o',
  'priority',
  '2026-01-01T00:00:00Z',
  'a'.repeat(300),
);

/** Any hostile value, as a description. */
export const hostileSpec: fc.Arbitrary<HostileSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_KINDS).map((kind) => ({ kind }) as HostileSpec) },
  { weight: 2, arbitrary: specialNumbers.map((value) => ({ kind: 'plain', value }) as HostileSpec) },
  { weight: 2, arbitrary: specialStrings.map((value) => ({ kind: 'plain', value }) as HostileSpec) },
  {
    weight: 2,
    arbitrary: fc.anything({ maxDepth: 2 }).map((value) => ({ kind: 'plain', value }) as HostileSpec),
  },
);

/** Build the value a description stands for (a fresh one each time). */
export function materialize(spec: HostileSpec): unknown {
  return spec.kind === 'plain' ? spec.value : MAKERS[spec.kind]();
}

/**
 * A valid value or a hostile one, as a description: the fuzzers mix the two per field. `validWeight`
 * (default 3, against 1 for undefined and 2 for hostile) sets how often a field is valid, so that
 * a record of several fields is valid as a whole often enough to reach the code past validation.
 */
export function maybeHostile<T>(valid: fc.Arbitrary<T>, validWeight = 3): fc.Arbitrary<HostileSpec> {
  return fc.oneof(
    { weight: validWeight, arbitrary: valid.map((value) => ({ kind: 'plain', value }) as HostileSpec) },
    { weight: 1, arbitrary: fc.constant({ kind: 'plain', value: undefined } as HostileSpec) },
    { weight: 2, arbitrary: hostileSpec },
  );
}
