/**
 * External programs some tests need (LibreOffice's `soffice`). Where one is missing the test is
 * skipped and says why; with ZBPORT_REQUIRE_TOOLS=1 (set by .ci/run) it runs anyway and fails,
 * so CI can never pass by skipping.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface Tool {
  /** Found on PATH. */
  available: boolean;
  /** Whether tests needing it run: found, or required by ZBPORT_REQUIRE_TOOLS=1. */
  run: boolean;
  /** Appended to the names of tests that need it: empty when it runs. */
  note: string;
  /** Throws when the tool is required but missing: the first line of a test that needs it. */
  assertAvailable(): void;
}

export function tool(command: string, installHint: string): Tool {
  const available = (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, command)));
  const required = process.env.ZBPORT_REQUIRE_TOOLS === '1';
  const missing = `\`${command}\` not found on PATH (${installHint})`;
  const reason = `${missing}; ZBPORT_REQUIRE_TOOLS=1 makes these tests mandatory`;
  if (!available && !required) process.stderr.write(`skipping tests that need ${command}: ${reason}\n`);
  return {
    available,
    run: available || required,
    note: available || required ? '' : ` [skipped: ${reason}]`,
    assertAvailable() {
      if (!available) throw new Error(`ZBPORT_REQUIRE_TOOLS=1 but ${missing}`);
    },
  };
}
