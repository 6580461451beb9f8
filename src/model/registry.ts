import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { LandfallError } from '../errors.js';
import type { Module } from '../market/types.js';
import { sha256File } from './loader.js';
import {
  GOLDEN_TOLERANCE,
  type GoldenVector,
  MANIFEST_SCHEMA,
  type ModelManifest,
  readManifest,
} from './manifest.js';

/**
 * The model registry: a directory of `lib<module>_v<sha>.so` with their manifests, and one
 * symlink per module, `lib<module>_latest.so`, naming the live version. The symlink is only
 * ever replaced by rename(2) of a fresh temporary link, so a reader sees the old target or the
 * new one, never none; agents watch the directory and follow it.
 */
export function latestName(module: Module): string {
  return `lib${module}_latest.so`;
}

export function libraryName(module: Module, version: string): string {
  return `lib${module}_v${version}.so`;
}

/** A version is the first 16 hex digits of the library's sha256. */
export function versionOf(checksum: string): string {
  return checksum.slice(0, 16);
}

export interface PublishInput {
  module: Module;
  /** A built library implementing ABI v1 (ours, Treelite's or hand-written). */
  libraryPath: string;
  featureNames: readonly string[];
  threshold: number;
  golden: GoldenVector[];
  metrics?: Record<string, number>;
  trainingJobId?: string | null;
  source?: string;
  tolerance?: number;
}

export interface RegistryEntry {
  manifest: ModelManifest;
  path: string;
  live: boolean;
}

/** Versions of `module` in publication order, newest first. */
export function listVersions(dir: string, module: Module): RegistryEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const live = liveVersion(dir, module);
  const prefix = `lib${module}_v`;
  const entries: RegistryEntry[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.json')) continue;
    try {
      const manifest = readManifest(join(dir, name));
      const path = join(dir, libraryName(module, manifest.version));
      entries.push({ manifest, path, live: manifest.version === live });
    } catch {
      // A manifest being written or damaged is not a version; the loader reports it if linked.
    }
  }
  return entries.sort((a, b) => b.manifest.sequence - a.manifest.sequence);
}

/** The version `lib<module>_latest.so` points at, if any. */
export function liveVersion(dir: string, module: Module): string | undefined {
  try {
    const target = basename(readlinkSync(join(dir, latestName(module))));
    return new RegExp(`^lib${module}_v([0-9a-f]+)\\.so$`).exec(target)?.[1];
  } catch {
    return undefined;
  }
}

/** Atomically repoints `lib<module>_latest.so` at `version` (temporary symlink + rename). */
export function activate(dir: string, module: Module, version: string): void {
  const tmp = join(dir, `.${latestName(module)}.${randomBytes(6).toString('hex')}`);
  symlinkSync(libraryName(module, version), tmp);
  renameSync(tmp, join(dir, latestName(module)));
}

/**
 * Copies the library in as `lib<module>_v<sha>.so`, writes its manifest, makes it live (unless
 * `activate` is false: it is then a candidate, see promotion.ts), and keeps the newest `keep`
 * versions (never the live one). A removed file an agent still has mapped stays valid for it:
 * Linux keeps an unlinked, mapped file until it is unmapped.
 */
export function publish(
  dir: string,
  input: PublishInput,
  keep: number,
  options: { activate?: boolean } = {},
): ModelManifest {
  mkdirSync(dir, { recursive: true });
  const checksum = sha256File(input.libraryPath);
  const version = versionOf(checksum);
  const existing = listVersions(dir, input.module);
  const manifest: ModelManifest = {
    schema: MANIFEST_SCHEMA,
    module: input.module,
    version,
    checksum,
    abiVersion: 1,
    featureNames: [...input.featureNames],
    threshold: input.threshold,
    metrics: input.metrics ?? {},
    golden: input.golden,
    tolerance: input.tolerance ?? GOLDEN_TOLERANCE,
    trainingJobId: input.trainingJobId ?? null,
    createdAt: new Date().toISOString(),
    sequence: 1 + Math.max(0, ...existing.map((e) => e.manifest.sequence)),
    source: input.source ?? basename(input.libraryPath),
  };
  const so = join(dir, libraryName(input.module, version));
  const tmpSuffix = `.tmp-${randomBytes(6).toString('hex')}`;
  // Manifest first: the loader reads it as soon as the library can be seen.
  writeFileSync(`${so.replace(/\.so$/, '.json')}${tmpSuffix}`, `${JSON.stringify(manifest)}\n`);
  renameSync(`${so.replace(/\.so$/, '.json')}${tmpSuffix}`, so.replace(/\.so$/, '.json'));
  copyFileSync(input.libraryPath, `${so}${tmpSuffix}`);
  renameSync(`${so}${tmpSuffix}`, so);
  if (options.activate ?? true) activate(dir, input.module, version);
  prune(dir, input.module, keep);
  return manifest;
}

/** Deletes all but the newest `keep` versions; the live version always stays. */
export function prune(dir: string, module: Module, keep: number): string[] {
  const removed: string[] = [];
  for (const [i, e] of listVersions(dir, module).entries()) {
    if (i < keep || e.live) continue;
    rmSync(e.path, { force: true });
    rmSync(e.path.replace(/\.so$/, '.json'), { force: true });
    removed.push(e.manifest.version);
  }
  return removed;
}

/** The version `rollback` would make live: `version` (a prefix), or the one before the live one. */
export function rollbackTarget(
  dir: string,
  module: Module,
  version?: string,
): RegistryEntry | undefined {
  const entries = listVersions(dir, module);
  if (version !== undefined) return entries.find((e) => e.manifest.version.startsWith(version));
  const live = entries.find((e) => e.live);
  return live && entries.find((e) => e.manifest.sequence < live.manifest.sequence);
}

/**
 * Makes `version` live again, or by default the version published just before the live one.
 * Only versions still in the registry can be chosen (see `keep`).
 */
export function rollback(dir: string, module: Module, version?: string): ModelManifest {
  const target = rollbackTarget(dir, module, version);
  if (!target) {
    const known =
      listVersions(dir, module)
        .map((e) => e.manifest.version)
        .join(', ') || 'none';
    throw new LandfallError(
      'LF_MODEL_NOT_FOUND',
      `no ${version === undefined ? 'earlier' : `version ${version} of`} ${module} model in ${dir} to roll back to (versions: ${known})`,
    );
  }
  activate(dir, module, target.manifest.version);
  return target.manifest;
}

/** Makes `version` (a unique prefix will do) of `module` live; the candidate's manifest is returned. */
export function promote(dir: string, module: Module, version: string): ModelManifest {
  const matches = listVersions(dir, module).filter((e) => e.manifest.version.startsWith(version));
  const target = matches[0];
  if (target === undefined || matches.length > 1) {
    const known = listVersions(dir, module)
      .map((e) => e.manifest.version)
      .join(', ');
    throw new LandfallError(
      'LF_MODEL_NOT_FOUND',
      `${matches.length > 1 ? `version ${version} is ambiguous among` : `no version ${version} of`} the ${module} models in ${dir} (versions: ${known || 'none'})`,
    );
  }
  activate(dir, module, target.manifest.version);
  return target.manifest;
}
