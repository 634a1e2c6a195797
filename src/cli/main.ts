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
import { LANGS, localize, resolveLang, say as t, setLang, type Lang } from '../report/lang.js';

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

/**
 * `--lang` as typed, read before yargs so that the help yargs prints is already in that language
 * (yargs checks the value itself: an unknown one is refused with the choices).
 */
function langFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return undefined;
    if (argv[i] === '--lang') return argv[i + 1];
    if (argv[i].startsWith('--lang=')) return argv[i].slice('--lang='.length);
  }
  return undefined;
}

/** yargs' own words (headings, its validation messages) in the language in force. */
function yargsStrings(l: Lang): { locale: string; strings: Record<string, string | { one: string; other: string }> } {
  const both = (zh: string, en: string) => ({ one: t(zh, en, l), other: t(zh, en, l) });
  const zhOrBoth = {
    'Not enough non-option arguments: got %s, need at least %s': both('缺少参数：传入了 %s 个，至少需要 %s 个', 'not enough arguments: got %s, need at least %s'),
    'Too many non-option arguments: got %s, maximum of %s': both('参数过多：传入了 %s 个，最多 %s 个', 'too many arguments: got %s, at most %s'),
    'Unknown argument: %s': both('无法识别的选项：%s', 'unknown argument: %s'),
    'Unknown command: %s': both('未知的命令：%s', 'unknown command: %s'),
    'Missing required argument: %s': both('缺少必需的参数：%s', 'missing required argument: %s'),
    'Missing argument value: %s': both('选项缺少值：%s', 'missing argument value: %s'),
    'Not enough arguments following: %s': both('选项后缺少值：%s', 'not enough arguments following: %s'),
    'Invalid values:': t('无效的值：', 'invalid values:', l),
    'Argument: %s, Given: %s, Choices: %s': t('选项 %s 的值 %s 无效，可选：%s', 'argument: %s, given: %s, choices: %s', l),
    'Did you mean %s?': t('是不是 %s？', 'did you mean %s?', l),
  };
  // Both languages, each value once: y18n fills the %s in order.
  const pairs = {
    'Not enough non-option arguments: got %s, need at least %s': { one: '缺少参数 / not enough arguments: got %s, need at least %s', other: '缺少参数 / not enough arguments: got %s, need at least %s' },
    'Too many non-option arguments: got %s, maximum of %s': { one: '参数过多 / too many arguments: got %s, at most %s', other: '参数过多 / too many arguments: got %s, at most %s' },
    'Unknown argument: %s': { one: '无法识别的选项 / unknown argument: %s', other: '无法识别的选项 / unknown arguments: %s' },
    'Unknown command: %s': { one: '未知的命令 / unknown command: %s', other: '未知的命令 / unknown commands: %s' },
    'Missing required argument: %s': { one: '缺少必需的参数 / missing required argument: %s', other: '缺少必需的参数 / missing required arguments: %s' },
    'Missing argument value: %s': { one: '选项缺少值 / missing argument value: %s', other: '选项缺少值 / missing argument values: %s' },
    'Not enough arguments following: %s': '选项后缺少值 / not enough arguments following: %s',
    'Invalid values:': '无效的值 / invalid values:',
    'Argument: %s, Given: %s, Choices: %s': '选项 / argument: %s，值 / given: %s，可选 / choices: %s',
    'Did you mean %s?': '是不是 / did you mean: %s?',
  };
  if (l === 'en') return { locale: 'en', strings: {} };
  if (l === 'zh') return { locale: 'zh_CN', strings: { ...zhOrBoth, 'aliases:': '别名:', 'Positionals:': '参数：' } };
  return {
    locale: 'en',
    strings: {
      ...pairs,
      'Commands:': '命令 / Commands:',
      'Options:': '选项 / Options:',
      'Positionals:': '参数 / Positionals:',
      'Examples:': '示例 / Examples:',
      'Show help': '显示帮助 / Show help',
      'Show version number': '显示版本号 / Show version number',
    },
  };
}

async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  // yargs calls a command's handler even after `.fail` reported its arguments wrong (exitProcess
  // false): the command must not run then, nor its status replace the 2.
  let failed = false;
  const set = (c: number) => {
    if (!failed) code = c;
  };
  const l = resolveLang(langFlag(argv), process.env);
  setLang(l);
  const words = yargsStrings(l);
  await yargs(argv)
    .scriptName('zbport')
    .locale(words.locale)
    // y18n takes plural forms ({ one, other }) too, which the type does not say.
    .updateStrings(words.strings as Record<string, string>)
    .usage(`$0 <command> [options]\n\n${t('在电子表格（Excel、WPS、CSV）与智邦国际 ERP 之间导入、导出客户联系人', 'Move CRM contacts between spreadsheets and the ZB ERP (智邦国际)')}`)
    .option('lang', { choices: LANGS, global: true, describe: t('提示语言：zh 中文，en 英文，both 中英对照（默认随 LANG：中文或未设置时 both，英文时 en；也可设 ZBPORT_LANG）', 'Language of messages: zh, en or both (default from LANG: both for Chinese or no locale, en for English; also ZBPORT_LANG)') })
    .command(
      'run <pipeline>',
      t('运行导入或导出流水线', 'Run an import or export pipeline'),
      (y) =>
        y
          .positional('pipeline', { type: 'string', demandOption: true, describe: t('流水线定义（YAML）', 'Pipeline definition (YAML)') })
          .option('input', { alias: 'i', type: 'string', describe: t('读取这个文件，而不是流水线指定的文件', 'Source file instead of the one the pipeline names') })
          .option('dry-run', { type: 'boolean', default: false, describe: t('只读取、校验、查找和匹配，不向 ERP 写入任何数据', 'Read, validate, resolve and match, but write nothing to the ERP') })
          .option('json', { type: 'boolean', default: false, describe: t('在 stdout 输出 JSON 格式的汇总', 'Print the summary as JSON on stdout') })
          .option('full-refresh', { type: 'boolean', default: false, describe: t('导出：忽略增量水位，全部导出', 'Export: ignore the incremental watermark') })
          .option('output', { alias: 'o', type: 'string', describe: t('导出：写入这个文件，而不是流水线指定的文件', 'Export: output file instead of the one the pipeline names') })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: t('只输出警告、错误和一行结果', 'Only warnings, errors and the one-line result') })
          .option('installation', { type: 'string', describe: t('使用这个安装配置（由 `zbport doctor` 生成），而不是流水线指定的；也可设 ZBPORT_INSTALLATION', 'Installation profile (written by `zbport doctor`) instead of the pipeline\'s; also ZBPORT_INSTALLATION') }),
      async (a) => {
        if (failed) return;
        const { runCommand } = await import('../commands/run.js');
        set(await runCommand({ pipeline: a.pipeline, input: a.input, dryRun: a['dry-run'], json: a.json, fullRefresh: a['full-refresh'], output: a.output, quiet: a.quiet, installation: a.installation }));
      },
    )
    .command(
      'init <file>',
      t('根据电子表格的表头和前几行生成导入流水线，写入 pipelines/NAME.yaml', 'Propose an import pipeline from a spreadsheet\'s header and first rows, written to pipelines/NAME.yaml'),
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: t('电子表格（.xlsx、.xls、.et、.ods 或 .csv）', 'Spreadsheet (.xlsx, .xls, .et, .ods or .csv)') })
          .option('name', { type: 'string', describe: t('流水线名称（默认取自文件名）', 'Pipeline name (default from the file name)') })
          .option('output', { alias: 'o', type: 'string', describe: t('写入的流水线文件（默认 pipelines/NAME.yaml）', 'Pipeline file to write (default pipelines/NAME.yaml)') })
          .option('out', { type: 'string', hidden: true })
          .option('force', { type: 'boolean', default: false, describe: t('覆盖已有的流水线文件', 'Replace an existing pipeline file') })
          .option('sheet', { type: 'string', describe: t('工作表名称或序号（从 1 开始，默认第一个工作表）', 'Sheet name or 1-based index (default the first sheet)') })
          .option('header-row', { type: 'number', describe: t('表头所在行，按 Excel 显示的行号（默认在前几行中查找）', 'Row of the header as Excel shows it (default: found among the first rows)') })
          .option('entity', { choices: ['contact', 'followup'] as const, describe: t('每行导入为什么（默认根据表头选择）', 'What each row becomes (default: chosen from the headers)') })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: t('只输出错误和一行结果', 'Only errors and the one-line result') }),
      async (a) => {
        if (failed) return;
        const { initCommand } = await import('../commands/init.js');
        const sheet = a.sheet !== undefined && /^\d+$/.test(a.sheet) ? Number(a.sheet) : a.sheet;
        set(await initCommand({ file: a.file, name: a.name, output: a.output ?? a.out, force: a.force, sheet, headerRow: a['header-row'], entity: a.entity, quiet: a.quiet }));
      },
    )
    .command(
      'lint [pipelines..]',
      t('检查流水线定义和安装配置（默认检查 pipelines/ 和 installations/ 中的所有文件）', 'Check pipeline definitions and installation profiles (default: every file in pipelines/ and installations/)'),
      (y) => y.positional('pipelines', { type: 'string', array: true, describe: t('文件或文件夹', 'Files or folders') }),
      async (a) => {
        if (failed) return;
        const { lintCommand } = await import('../commands/lint.js');
        set(await lintCommand({ paths: a.pipelines ?? [] }));
      },
    )
    .command(
      'template <pipeline>',
      t('为导入流水线生成电子表格模板，规则写成 Excel 数据验证', 'Write a spreadsheet template for an import pipeline, with the rules as Excel data validation'),
      (y) =>
        y
          .positional('pipeline', { type: 'string', demandOption: true, describe: t('导入流水线定义（YAML）', 'Import pipeline definition (YAML)') })
          .option('output', { alias: 'o', type: 'string', describe: t('写入的模板文件（.xlsx）', 'Template file to write (.xlsx)') })
          .option('out', { type: 'string', hidden: true })
          .option('offline', { type: 'boolean', default: false, describe: t('不读取 ERP 的客户列表（模板中不放客户下拉列表）', 'Do not fetch the customer list for the company dropdown') })
          .option('force', { type: 'boolean', default: false, describe: t('替换同名的已有文件', 'Replace an existing file of that name') })
          .option('installation', { type: 'string', describe: t('使用这个安装配置，而不是流水线指定的；也可设 ZBPORT_INSTALLATION', 'Installation profile instead of the pipeline\'s; also ZBPORT_INSTALLATION') })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: t('只输出错误和一行结果', 'Only errors and the one-line result') }),
      async (a) => {
        if (failed) return;
        const { templateCommand } = await import('../commands/template.js');
        set(await templateCommand({ pipeline: a.pipeline, out: a.output ?? a.out, offline: a.offline, quiet: a.quiet, installation: a.installation, force: a.force }));
      },
    )
    .command(
      'doctor',
      t('了解一个 ERP 安装：只读取其列表和表单（不写入任何数据），推断列和枚举 ID，写成安装配置', 'Meet an ERP installation: read its lists and forms (writing nothing), infer its columns and enum ids, write an installation profile'),
      (y) =>
        y
          .option('output', { alias: 'o', type: 'string', describe: t('写入的安装配置文件（默认 installations/erp-<主机>.yaml）', 'Profile file to write (default installations/erp-<host>.yaml)') })
          .option('out', { type: 'string', hidden: true })
          .option('force', { type: 'boolean', default: false, describe: t('覆盖已有的安装配置文件', 'Replace an existing profile file') })
          .option('name', { type: 'string', describe: t('安装配置名称（默认取自 ERP 的主机名）', 'Profile name (default from the ERP\'s host)') })
          .option('installation', { type: 'string', describe: t('已有的安装配置，取其连接设置（环境变量名、登录方式）', 'An existing profile, for its connection settings (environment variable names, login)') }),
      async (a) => {
        if (failed) return;
        const { doctorCommand } = await import('../commands/doctor.js');
        set(await doctorCommand({ out: a.output ?? a.out, force: a.force, name: a.name, installation: a.installation }));
      },
    )
    .command(
      'schema',
      t('输出流水线定义的 JSON Schema（供编辑器补全）', 'Print the JSON Schema of pipeline definitions'),
      (y) => y.option('output', { alias: 'o', type: 'string', describe: t('写入这个文件，而不是 stdout', 'Write to this file instead of stdout') }).option('out', { type: 'string', hidden: true }),
      async (a) => {
        if (failed) return;
        const { schemaCommand } = await import('../commands/schema.js');
        set(await schemaCommand({ out: a.output ?? a.out }));
      },
    )
    .command(
      'emulator',
      t('运行内置的智邦 ERP 模拟器（用于演练、演示和测试）', 'Run the built-in ZB ERP emulator (for rehearsals, demos and tests)'),
      (y) =>
        y
          .option('port', { type: 'number', default: 8088, describe: t('端口', 'Port') })
          .option('host', { type: 'string', default: '127.0.0.1', describe: t('监听地址', 'Address to listen on') })
          .option('data', { type: 'string', default: './.zbport-emulator', describe: t('数据文件夹（保存的记录在重启后仍在）', 'Data directory (saved records survive restarts)') })
          .option('seed-customers', { type: 'number', describe: t('在空数据文件夹中生成的客户数', 'Customers to seed into an empty data directory') })
          .option('seed-contacts', { type: 'number', describe: t('在空数据文件夹中生成的联系人数', 'Contacts to seed into an empty data directory') })
          .option('latency', { type: 'number', describe: t('每个请求的处理时间（毫秒）', 'Service time per request, ms') })
          .option('jitter', { type: 'number', describe: t('延迟抖动（毫秒）', 'Latency jitter, ms') })
          .option('fail-rate', { type: 'number', describe: t('以临时故障应答的请求比例（0..1）', 'Share of requests (0..1) answered with a transient fault') })
          .option('drop-rate', { type: 'number', describe: t('应答“ok”却不保存的比例（0..1）', 'Share of saves (0..1) answered "ok" but not stored') })
          .option('session-ttl', { type: 'number', describe: t('会话在多少秒后过期', 'Sessions expire after this many seconds') })
          .option('max-in-flight', { type: 'number', describe: t('同时处理的请求上限（超出的排队）', 'Requests in flight at most (beyond it they queue)') })
          .option('overflow', { choices: ['queue', 'fail'] as const, describe: t('超出 --max-in-flight 的请求：queue 排队（应答变慢）或 fail 失败（HTTP 500 服务器太忙）', 'Requests beyond --max-in-flight: queue (answers slow down) or fail (HTTP 500 服务器太忙 / Server Too Busy)') })
          .option('rows-as-objects', { type: 'boolean', describe: t('列表行以对象形式返回', 'Serialise list rows as objects') })
          .option('thousands', { type: 'boolean', describe: t('数字带千分位分隔符', 'Format numbers with thousands separators') })
          .option('dialect', { type: 'string', default: 'standard', describe: t('扮演哪种安装：standard、pinyin 或 classic（列表列 ID、日期和数字格式、枚举 ID、登录状态码）', 'Which installation to play: standard, pinyin or classic (list column ids, date and number formats, enum ids, login status codes)') }),
      async (a) => {
        if (failed) return;
        const { runEmulatorCommand } = await import('../emulator/command.js');
        set(await runEmulatorCommand(a as unknown as Parameters<typeof runEmulatorCommand>[0]));
      },
    )
    .demandCommand(1, t('请指定命令：run、init、lint、doctor、template、emulator、schema', 'Name a command: run, init, lint, doctor, template, emulator, schema'))
    .strict()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .alias('v', 'version')
    .fail((msg, err) => {
      if (err) throw err;
      // yargs may fail twice for one mistake (no pipeline: too few arguments, then the missing one).
      if (failed) return;
      failed = true;
      code = EXIT.config;
      process.stderr.write(`zbport: ${localize(msg ?? '')}\n${t('运行 `zbport --help` 查看用法', 'Run `zbport --help` for usage.')}\n`);
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
