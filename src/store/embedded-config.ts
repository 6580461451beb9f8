import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the embedded engine keeps its files, all under one directory. */
export interface EmbeddedLayout {
  root: string;
  /** The engine's own data path (metadata, the default disk). */
  data: string;
  hotDisk: string;
  coldDisk: string;
  /** The engine config written by `writeEmbeddedConfig`, loaded with `--config-file`. */
  configFile: string;
}

export function embeddedLayout(root: string): EmbeddedLayout {
  return {
    root,
    data: join(root, 'data'),
    hotDisk: join(root, 'disks', 'hot'),
    coldDisk: join(root, 'disks', 'cold'),
    configFile: join(root, 'landfall-chdb.xml'),
  };
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The embedded engine's config: the `hot_cold` policy of DESIGN.md on two local disks, so
 * the TTL moves to volume `cold` really happen here as they do on a server with S3.
 * Written on every open, so a moved Landfall home still points at its own disks.
 */
export function embeddedConfigXml(layout: EmbeddedLayout): string {
  // Both disks share one filesystem here, so the free-space safety valve (move_factor) would
  // only move parts for reasons unrelated to their age: tiering stays purely TTL-driven.
  return `<clickhouse>
  <storage_configuration>
    <disks>
      <hot>
        <type>local</type>
        <path>${xmlText(layout.hotDisk)}/</path>
      </hot>
      <cold>
        <type>local</type>
        <path>${xmlText(layout.coldDisk)}/</path>
      </cold>
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

export function writeEmbeddedConfig(layout: EmbeddedLayout): void {
  for (const dir of [layout.data, layout.hotDisk, layout.coldDisk])
    mkdirSync(dir, { recursive: true });
  writeFileSync(layout.configFile, embeddedConfigXml(layout));
}
