/**
 * Which installation a command talks to, and everything known about it: the profile named by
 * `--installation`, else ZBPORT_INSTALLATION, else the pipeline's `installation:`, else
 * zbport's built-in guess; connection defaults ← profile ← the pipeline's `erp:`; list columns
 * from the profile ← the pipeline's `lists:`.
 */
import path from 'node:path';
import { DEFAULT_LAYOUTS, LIST_NAMES, type ListName } from '../catalog/index.js';
import { ConfigError } from '../errors.js';
import { loadDefinition } from '../definition/load.js';
import { formatProblem } from '../definition/problems.js';
import { ListLayout } from './list-layout.js';
import { CONNECTION_DEFAULTS, type ConnectionConfig, type InstallationConfig, type ListsConfig, type WrittenConnection } from './profile-schema.js';

export const INSTALLATION_ENV = 'ZBPORT_INSTALLATION';
export const BUILT_IN = 'zbport 内置默认 / built-in default';

export interface Installation {
  name: string;
  /** The profile file, or undefined for zbport's built-in guess. */
  file?: string;
  connection: ConnectionConfig;
  layouts: Record<ListName, ListLayout>;
  /** Per field, label → this installation's id. */
  enums: Record<string, Record<string, string>>;
  /**
   * Lists whose columns are zbport's guess rather than read off this server: before anything is
   * written they are checked against the server's evidence (preflight.ts).
   */
  guessed: ListName[];
}

export interface ResolveOptions {
  /** `--installation FILE`. */
  flag?: string;
  env: NodeJS.ProcessEnv;
  /** The pipeline's own settings, when a pipeline is run. */
  pipeline?: { installation?: string; erp?: WrittenConnection; lists?: ListsConfig };
}

export async function resolveInstallation(o: ResolveOptions): Promise<Installation> {
  const named = o.flag ?? (o.env[INSTALLATION_ENV]?.trim() || undefined) ?? o.pipeline?.installation;
  const profile = named ? await loadProfile(named) : undefined;
  const connection = { ...CONNECTION_DEFAULTS, ...defined(profile?.connection ?? {}), ...defined(o.pipeline?.erp ?? {}) } as ConnectionConfig;
  const origin = named ?? BUILT_IN;
  const layouts = {} as Record<ListName, ListLayout>;
  const guessed: ListName[] = [];
  for (const list of LIST_NAMES) {
    const written = profile?.lists[list]?.columns;
    let layout = written ? new ListLayout(list, written, origin) : ListLayout.fromColumns(list, DEFAULT_LAYOUTS[list], BUILT_IN);
    if (!written) guessed.push(list);
    const override = o.pipeline?.lists?.[list]?.columns;
    if (override) layout = layout.with(override, `${layout.origin} + pipeline lists.${list}`);
    layouts[list] = layout;
  }
  return { name: profile?.name ?? 'built-in', file: named, connection, layouts, enums: profile?.enums ?? {}, guessed };
}

/** Loads and checks a profile; every problem with file and line, as for pipelines. */
export async function loadProfile(file: string): Promise<InstallationConfig> {
  const r = await loadDefinition(path.resolve(file));
  if (!r.ok) {
    throw new ConfigError(`安装配置文件 \`${file}\` 有误 / the installation profile \`${file}\` is not valid`, r.problems.map((p) => formatProblem({ ...p, file })));
  }
  if (r.pipeline.config.kind !== 'installation') {
    throw new ConfigError(`\`${file}\` 是流水线，不是安装配置 / is a pipeline (kind: ${r.pipeline.config.kind}), not an installation profile (kind: installation)`);
  }
  return r.pipeline.config;
}

function defined<T extends object>(x: T): Partial<T> {
  return Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as Partial<T>;
}
