import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { StoreConfig } from '../config/schema.js';
import { LandfallError } from '../errors.js';

/** Where the embedded engine keeps its files, all under one directory. */
export interface EmbeddedLayout {
  root: string;
  /** The engine's own data path (metadata, the default disk). */
  data: string;
  hotDisk: string;
  coldDisk: string;
  /** Local metadata of an S3 cold disk: which objects in the bucket make up each part. */
  coldS3Metadata: string;
  /** The engine config written by `writeEmbeddedConfig`, loaded with `--config-file`. */
  configFile: string;
}

export function embeddedLayout(root: string): EmbeddedLayout {
  return {
    root,
    data: join(root, 'data'),
    hotDisk: join(root, 'disks', 'hot'),
    coldDisk: join(root, 'disks', 'cold'),
    coldS3Metadata: join(root, 'disks', 'cold_s3'),
    configFile: join(root, 'landfall-chdb.xml'),
  };
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

type ColdConfig = StoreConfig['cold'];

/**
 * The cold disk: a local directory, or S3. The keys are named by `from_env`, never written:
 * the engine runs in this process and reads them from its environment when it loads the file.
 */
function coldDiskXml(layout: EmbeddedLayout, cold: ColdConfig): string {
  if (cold.kind === 'local') {
    return `<cold>
        <type>local</type>
        <path>${xmlText(layout.coldDisk)}/</path>
      </cold>`;
  }
  const region =
    cold.region === undefined ? '' : `\n        <region>${xmlText(cold.region)}</region>`;
  return `<cold>
        <type>s3</type>
        <endpoint>${xmlText(cold.endpoint)}</endpoint>
        <access_key_id from_env="${xmlText(cold.accessKeyIdEnv)}"/>
        <secret_access_key from_env="${xmlText(cold.secretAccessKeyEnv)}"/>${region}
        <metadata_path>${xmlText(layout.coldS3Metadata)}/</metadata_path>
      </cold>`;
}

/**
 * Idle threads the engine's global pool keeps. A server keeps up to 1,000; embedded, a burst
 * (the first merges start ~130 at once) would leave them all parked in this process with their
 * stacks resident (~1 MB each): the soak measured RSS 130 MB higher for as long as it ran.
 */
const IDLE_ENGINE_THREADS = 16;

/**
 * The embedded engine's config: the `hot_cold` policy of DESIGN.md, so the TTL moves to
 * volume `cold` really happen here as they do on a server. Written on every open, so a moved
 * Landfall home still points at its own disks.
 */
export function embeddedConfigXml(
  layout: EmbeddedLayout,
  cold: ColdConfig = { kind: 'local' },
): string {
  // Hot is a local directory (on one filesystem with cold when cold is local), so the
  // free-space safety valve (move_factor) would only move parts for reasons unrelated to
  // their age: tiering stays purely TTL-driven.
  return `<clickhouse>
  <max_thread_pool_free_size>${IDLE_ENGINE_THREADS}</max_thread_pool_free_size>
  <storage_configuration>
    <disks>
      <hot>
        <type>local</type>
        <path>${xmlText(layout.hotDisk)}/</path>
      </hot>
      ${coldDiskXml(layout, cold)}
    </disks>
    <policies>
      <hot_cold>
        <volumes>
          <hot><disk>hot</disk></hot>
          <cold><disk>cold</disk></cold>
        </volumes>
        <move_factor>0</move_factor>
      </hot_cold>
    </policies>
  </storage_configuration>
</clickhouse>
`;
}

/** True when a disk directory holds any data part (each part has a `checksums.txt`). */
function holdsParts(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some(
    (entry) => basename(entry) === 'checksums.txt',
  );
}

/**
 * Checked before the engine starts, which would otherwise fail late or lose data quietly:
 * - the S3 keys must be in the environment (the engine reads them from this process's
 *   environment when it loads the config; without them it fails only at the first move, deep
 *   in a background thread). This is the one place that reads them, for that reason;
 * - the other kind of cold disk must hold no parts: the engine looks for the parts of disk
 *   `cold` only where the configured kind keeps them, and would never see the others.
 */
export function checkColdDisk(
  layout: EmbeddedLayout,
  cold: ColdConfig,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const stranded = cold.kind === 's3' ? layout.coldDisk : layout.coldS3Metadata;
  if (holdsParts(stranded)) {
    const other = cold.kind === 's3' ? 'local' : 's3';
    throw new LandfallError(
      'LF_CONFIG_INVALID',
      `store.cold.kind is ${cold.kind}, but ${stranded} holds parts that were moved to cold when ` +
        `it was ${other}: the engine would not see them. Set store.cold.kind back to ${other}, ` +
        "bring them to hot (ALTER TABLE … MOVE PARTITION … TO VOLUME 'hot'), then switch",
    );
  }
  if (cold.kind !== 's3') return;
  const missing = [cold.accessKeyIdEnv, cold.secretAccessKeyEnv].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new LandfallError(
      'LF_CONFIG_INVALID',
      `store.cold is S3 (${cold.endpoint}) but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} ` +
        'not set: export the access key id and secret of the bucket in the environment, or set ' +
        'store.cold.kind to local',
    );
  }
}

export function writeEmbeddedConfig(
  layout: EmbeddedLayout,
  cold: ColdConfig = { kind: 'local' },
): void {
  for (const dir of [layout.data, layout.hotDisk, layout.coldDisk])
    mkdirSync(dir, { recursive: true });
  writeFileSync(layout.configFile, embeddedConfigXml(layout, cold));
}
