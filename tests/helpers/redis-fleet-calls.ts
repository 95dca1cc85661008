// The calls each replica of the Redis fleet tests makes, as data: the parent test prices them from
// the published per-1M prices it states, independently of the code under test.

/** One call: model, tokens and attribution. */
export interface FleetCall {
  model: 'gpt-4o-mini' | 'gpt-4o-2024-08-06';
  input: number;
  output: number;
  user: string;
  session: string;
}

/** Users and sessions shared by every replica (so every budget is a fleet budget). */
export const FLEET_USERS = 20;
export const FLEET_SESSIONS = 200;

/** The calls of replica `r`: a fixed mix of models, token counts, users and sessions. */
export function callsFor(r: number, n: number): FleetCall[] {
  const out: FleetCall[] = [];
  for (let i = 0; i < n; i++) {
    const j = i * 4 + r; // interleave replicas over the same users and sessions
    out.push({
      model: j % 5 === 0 ? 'gpt-4o-2024-08-06' : 'gpt-4o-mini',
      input: 200 + ((j * 37) % 1800),
      output: 20 + ((j * 13) % 400),
      user: `user-${j % FLEET_USERS}`,
      session: `session-${(j * 7) % FLEET_SESSIONS}`,
    });
  }
  return out;
}
