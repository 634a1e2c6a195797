/**
 * yargs wiring only: each command lazy-imports a plain async function with a typed options
 * object and returns an exit code. Errors are caught here, in one place.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportFatal } from './fatal.js';
import { provideEmulator } from '../run/connect.js';

// `erp.fallback: emulator` (the samples, rehearsals) starts the built-in emulator, loaded only then.
provideEmulator(async (o) => (await import('../emulator/index.js')).startEmulator({ port: 0, dataDir: o.dataDir, users: o.users, quiet: true }));

/**
 * The version in zbport's package.json, found upwards from this module (src/cli/ from the sources,
 * dist/ when compiled), so `--version` says what is installed without a build step.
 */
function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'zbport' && pkg.version) return pkg.version;
    } catch {
      // No package.json here: look further up.
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/** Exit statuses, as documented in the README. */
export const EXIT = { ok: 0, rowsFailed: 1, config: 2, aborted: 3 } as const;

async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const set = (c: number) => {
    code = c;
  };
  await yargs(argv)
    .scriptName('zbport')
    .usage('$0 <command> [options]\n\nMove CRM contacts between spreadsheets and the ZB ERP (智邦国际).')
    .command(
      'run <pipeline>',
      'Run an import or export pipeline',
      (y) =>
        y
          .positional('pipeline', { type: 'string', demandOption: true, describe: 'Pipeline definition (YAML)' })
          .option('input', { alias: 'i', type: 'string', describe: 'Source file instead of the one the pipeline names' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'Read, validate, resolve and match, but write nothing to the ERP' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the summary as JSON on stdout' })
          .option('full-refresh', { type: 'boolean', default: false, describe: 'Export: ignore the incremental watermark' })
          .option('output', { alias: 'o', type: 'string', describe: 'Export: output file instead of the one the pipeline names' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Only warnings, errors and the one-line result' })
          .option('installation', { type: 'string', describe: 'Installation profile (written by `zbport doctor`) instead of the pipeline\'s; also ZBPORT_INSTALLATION' }),
      async (a) => {
        const { runCommand } = await import('../commands/run.js');
        set(await runCommand({ pipeline: a.pipeline, input: a.input, dryRun: a['dry-run'], json: a.json, fullRefresh: a['full-refresh'], output: a.output, quiet: a.quiet, installation: a.installation }));
      },
    )
    .command(
      'init <file>',
      'Propose an import pipeline from a spreadsheet\'s header and first rows, written to pipelines/NAME.yaml',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'Spreadsheet (.xlsx, .xls, .et, .ods or .csv)' })
          .option('name', { type: 'string', describe: 'Pipeline name (default from the file name)' })
          .option('output', { alias: 'o', type: 'string', describe: 'Pipeline file to write (default pipelines/NAME.yaml)' })
          .option('out', { type: 'string', hidden: true })
          .option('force', { type: 'boolean', default: false, describe: 'Replace an existing pipeline file' })
          .option('sheet', { type: 'string', describe: 'Sheet name or 1-based index (default the first sheet)' })
          .option('header-row', { type: 'number', describe: 'Row of the header as Excel shows it (default: found among the first rows)' })
          .option('entity', { choices: ['contact', 'followup'] as const, describe: 'What each row becomes (default: chosen from the headers)' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Only errors and the one-line result' }),
      async (a) => {
        const { initCommand } = await import('../commands/init.js');
        const sheet = a.sheet !== undefined && /^\d+$/.test(a.sheet) ? Number(a.sheet) : a.sheet;
        set(await initCommand({ file: a.file, name: a.name, output: a.output ?? a.out, force: a.force, sheet, headerRow: a['header-row'], entity: a.entity, quiet: a.quiet }));
      },
    )
    .command(
      'lint [pipelines..]',
      'Check pipeline definitions and installation profiles (default: every file in pipelines/ and installations/)',
      (y) => y.positional('pipelines', { type: 'string', array: true, describe: 'Files or folders' }),
      async (a) => {
        const { lintCommand } = await import('../commands/lint.js');
        set(await lintCommand({ paths: a.pipelines ?? [] }));
      },
    )
    .command(
      'template <pipeline>',
      'Write a spreadsheet template for an import pipeline, with the rules as Excel data validation',
      (y) =>
        y
          .positional('pipeline', { type: 'string', demandOption: true, describe: 'Import pipeline definition (YAML)' })
          .option('output', { alias: 'o', type: 'string', describe: 'Template file to write (.xlsx)' })
          .option('out', { type: 'string', hidden: true })
          .option('offline', { type: 'boolean', default: false, describe: 'Do not fetch the customer list for the company dropdown' })
          .option('installation', { type: 'string', describe: 'Installation profile instead of the pipeline\'s; also ZBPORT_INSTALLATION' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Only errors and the one-line result' }),
      async (a) => {
        const { templateCommand } = await import('../commands/template.js');
        set(await templateCommand({ pipeline: a.pipeline, out: a.output ?? a.out, offline: a.offline, quiet: a.quiet, installation: a.installation }));
      },
    )
    .command(
      'doctor',
      'Meet an ERP installation: read its lists and forms (writing nothing), infer its columns and enum ids, write an installation profile',
      (y) =>
        y
          .option('output', { alias: 'o', type: 'string', describe: 'Profile file to write (default installations/erp-<host>.yaml)' })
          .option('out', { type: 'string', hidden: true })
          .option('force', { type: 'boolean', default: false, describe: 'Replace an existing profile file' })
          .option('name', { type: 'string', describe: 'Profile name (default from the ERP\'s host)' })
          .option('installation', { type: 'string', describe: 'An existing profile, for its connection settings (environment variable names, login)' }),
      async (a) => {
        const { doctorCommand } = await import('../commands/doctor.js');
        set(await doctorCommand({ out: a.output ?? a.out, force: a.force, name: a.name, installation: a.installation }));
      },
    )
    .command(
      'schema',
      'Print the JSON Schema of pipeline definitions',
      (y) => y.option('output', { alias: 'o', type: 'string', describe: 'Write to this file instead of stdout' }).option('out', { type: 'string', hidden: true }),
      async (a) => {
        const { schemaCommand } = await import('../commands/schema.js');
        set(await schemaCommand({ out: a.output ?? a.out }));
      },
    )
    .command(
      'emulator',
      'Run the built-in ZB ERP emulator (for rehearsals, demos and tests)',
      (y) =>
        y
          .option('port', { type: 'number', default: 8088 })
          .option('host', { type: 'string', default: '127.0.0.1' })
          .option('data', { type: 'string', default: './.zbport-emulator', describe: 'Data directory (saved records survive restarts)' })
          .option('seed-customers', { type: 'number', describe: 'Customers to seed into an empty data directory' })
          .option('seed-contacts', { type: 'number', describe: 'Contacts to seed into an empty data directory' })
          .option('latency', { type: 'number', describe: 'Service time per request, ms' })
          .option('jitter', { type: 'number', describe: 'Latency jitter, ms' })
          .option('fail-rate', { type: 'number', describe: 'Share of requests (0..1) answered with a transient fault' })
          .option('drop-rate', { type: 'number', describe: 'Share of saves (0..1) answered "ok" but not stored' })
          .option('session-ttl', { type: 'number', describe: 'Sessions expire after this many seconds' })
          .option('max-in-flight', { type: 'number', describe: 'Requests in flight at most (beyond it they queue)' })
          .option('rows-as-objects', { type: 'boolean', describe: 'Serialise list rows as objects' })
          .option('thousands', { type: 'boolean', describe: 'Format numbers with thousands separators' })
          .option('dialect', { type: 'string', default: 'standard', describe: 'Which installation to play: standard, pinyin or classic (list column ids, date and number formats, enum ids, login status codes)' }),
      async (a) => {
        const { runEmulatorCommand } = await import('../emulator/command.js');
        set(await runEmulatorCommand(a as unknown as Parameters<typeof runEmulatorCommand>[0]));
      },
    )
    .demandCommand(1, 'Name a command: run, init, lint, doctor, template, emulator, schema')
    .strict()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .alias('v', 'version')
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`zbport: ${msg}\nRun \`zbport --help\` for usage.\n`);
      set(EXIT.config);
    })
    .exitProcess(false)
    .parseAsync();
  return code;
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = reportFatal(err);
  },
);
