/**
 * The import graph stays a tree (issue 14): no cycles between modules, and production code never
 * imports the emulator. The rules are in .dependency-cruiser.cjs; `npx depcruise src --config
 * .dependency-cruiser.cjs` prints the same report.
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';

const require = createRequire(import.meta.url);

describe('the import graph', () => {
  it('has no cycles and no production import of the emulator', async () => {
    const config = require('../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: Record<string, unknown> };
    const result = await cruise(['src'], { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true } as never);
    const output = result.output as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string; cycle?: Array<{ name: string }> }>; totalCruised: number } };
    const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
    expect(output.summary.totalCruised).toBeGreaterThan(50);
    expect(violations).toEqual([]);
  });
});
