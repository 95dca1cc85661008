import { expect, it } from 'vitest';
import { architectureDocIsCurrent, CORE_GROUPS, importGraph } from '../../scripts/gen-architecture.js';

it('docs/architecture.md draws the import graph of the code as it is (regenerate: npm run generate)', () => {
  expect(architectureDocIsCurrent()).toBe(true);
});

it('no core group imports an adapter, Node wiring, the CLI or the dashboards', () => {
  const core: readonly string[] = CORE_GROUPS;
  const graph = importGraph();
  const outward = [...graph].flatMap(([from, tos]) =>
    core.includes(from) ? tos.filter((to) => !core.includes(to)).map((to) => `${from} → ${to}`) : [],
  );
  expect(outward).toEqual([]);
  // The picture has the adapters in it (a graph of nothing would pass the check above).
  expect(graph.get('otel')).toContain('pricing');
});
