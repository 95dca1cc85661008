/**
 * A bound on the matching work spent on one model name. Linear time per pattern is not enough on its
 * own: a catalog may hold thousands of rules, each of which may cost O(name × pattern) on a name it has
 * never seen. The resolver gives each first-sight name one budget, shared by every rule it tests
 * against every candidate; once it is spent, the remaining rules count as "no match" (the name is then
 * priced by what matched before, or is unknown) and the catalog counts the name in `overBudget`.
 *
 * The charge is a function of the catalog and the name only — never of what earlier names left in a
 * pattern's DFA cache — so a name resolves the same way whatever was priced before it, on any machine.
 * A character costs what stepping the NFA would: the number of NFA states alive before it (the DFA
 * state's kernel) plus one. Units are roughly nanoseconds of NFA stepping on a slow CI core
 * (`bench/first-sight.ts` prints the figures). Building DFA states is the one cost that depends on the
 * cache; it is bounded separately, by {@link NAME_DFA_BUILDS} per name, past which patterns are stepped
 * as NFAs (same answers, charged the same).
 */

/** The work left for one name. Mutated by whoever does the work. */
export interface WorkBudget {
  /** Units left; ≤ 0 once spent. */
  left: number;
  /** DFA states this name may still build (across all patterns). */
  builds: number;
}

/** Units per model name: with {@link NAME_DFA_BUILDS}, keeps first-sight matching near 1 ms at worst. */
export const NAME_WORK_BUDGET = 300_000;
/** DFA states one name may build across every pattern it is tested against (~5 µs each at worst). */
export const NAME_DFA_BUILDS = 48;
/** Units per NFA state alive at a character (plus one for the character itself). */
export const STATE_STEP_COST = 20;
/** Fixed cost of testing one match rule against one name, before its own work. */
export const RULE_TEST_COST = 20;
/** Characters of the name a string rule (`contains`, `endsWith`, …) is charged one unit for. */
export const CHARS_PER_UNIT = 8;

/** A fresh budget for one name. */
export function nameBudget(): WorkBudget {
  return { left: NAME_WORK_BUDGET, builds: NAME_DFA_BUILDS };
}

/** A budget that never runs out (direct `test` calls outside the resolver). */
export const UNLIMITED: WorkBudget = {
  left: Number.POSITIVE_INFINITY,
  builds: Number.POSITIVE_INFINITY,
};
