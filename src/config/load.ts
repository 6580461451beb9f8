import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { LandfallError } from '../errors.js';
import { type Config, configSchema } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'landfall.yaml';

/** Environment variables with a conventional name, mapped onto config paths. */
const WELL_KNOWN_ENV: ReadonlyArray<{ name: string; path: string[]; list?: boolean }> = [
  { name: 'LANDFALL_HOME', path: ['home'] },
  { name: 'NATS_URL', path: ['bus', 'nats', 'servers'], list: true },
  { name: 'KAFKA_BROKERS', path: ['bus', 'kafka', 'brokers'], list: true },
  { name: 'CLICKHOUSE_URL', path: ['store', 'url'] },
  { name: 'CLICKHOUSE_USER', path: ['store', 'username'] },
  { name: 'CLICKHOUSE_PASSWORD', path: ['store', 'password'] },
  { name: 'REDIS_URL', path: ['queue', 'redisUrl'] },
  { name: 'LANDFALL_JWT_SECRET', path: ['auth', 'hmacSecret'] },
  { name: 'LANDFALL_CONTROL_SIGNING_KEY', path: ['bus', 'control', 'signingKey'] },
  { name: 'LANDFALL_JWKS_URL', path: ['auth', 'jwksUrl'] },
];

/** `LANDFALL_BUS__KIND=nats` sets `bus.kind`; `__` separates levels, snake case becomes camel. */
const GENERIC_PREFIX = 'LANDFALL_';

export interface LoadOptions {
  /** Explicit config file; it must exist. Without it, `landfall.yaml` in `cwd` is used if present. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Applied last, for tests and CLI flags. */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: Config;
  /** The file that was read, if any. */
  source: string | undefined;
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.LANDFALL_CONFIG;
  const candidate = resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  let source: string | undefined;
  if (explicit !== undefined || existsSync(candidate)) {
    raw = readConfigFile(candidate);
    source = candidate;
  }
  const merged = structuredClone(raw);
  for (const [path, value] of envOverrides(env)) setPath(merged, path, value);
  if (options.overrides) deepMerge(merged, options.overrides);
  return { config: validateConfig(merged, source), source };
}

export function validateConfig(raw: unknown, source?: string): Config {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const where = source === undefined ? 'config' : `config ${source}`;
  const lines = result.error.issues.map(formatIssue);
  throw new LandfallError('LF_CONFIG_INVALID', `invalid ${where}: ${lines.join('; ')}`);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new LandfallError('LF_CONFIG_UNREADABLE', `cannot read config file ${file}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new LandfallError(
      'LF_CONFIG_INVALID',
      `config file ${file} is not valid YAML: ${detail}`,
      {
        cause,
      },
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LandfallError(
      'LF_CONFIG_INVALID',
      `config file ${file} must hold a mapping at the top`,
    );
  }
  return parsed as Record<string, unknown>;
}

export function envOverrides(env: NodeJS.ProcessEnv): Array<[string[], unknown]> {
  const out: Array<[string[], unknown]> = [];
  for (const known of WELL_KNOWN_ENV) {
    const value = env[known.name];
    if (value === undefined || value === '') continue;
    const parsed = known.list ? value.split(',').map((s) => s.trim()) : value;
    out.push([known.path, parsed]);
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(GENERIC_PREFIX) || !name.includes('__') || value === undefined) continue;
    const path = name
      .slice(GENERIC_PREFIX.length)
      .split('__')
      .map((part) => part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    out.push([path, parseScalar(value)]);
  }
  return out;
}

function parseScalar(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) deepMerge(existing, value);
    else target[key] = value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length === 0 ? '(root)' : issue.path.join('.');
  if (issue.code === 'invalid_value' && issue.values.length > 0) {
    const got = 'input' in issue ? `, got ${JSON.stringify(issue.input)}` : '';
    return `${path}: expected one of ${issue.values.join('|')}${got}`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  }
  return `${path}: ${issue.message}`;
}
