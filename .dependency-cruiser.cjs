/**
 * The import graph must stay a tree (issue 14): no cycles, and production code never imports the
 * emulator (only the CLI wiring and the emulator itself do). test/architecture.test.ts runs it.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes the layers meaningless and the load order fragile',
      from: { path: '^src' },
      to: { circular: true },
    },
    {
      name: 'no-emulator-in-production',
      severity: 'error',
      comment: 'The emulator is a rehearsal tool: production code reaches it only through the CLI wiring',
      from: { path: '^src', pathNot: ['^src/emulator', '^src/cli/'] },
      to: { path: '^src/emulator' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '\\.test\\.ts$'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
