import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Generates from proto/ into a fresh directory with the committed buf.gen.yaml. */
function generateInto(protoRoot: string, genYaml: string): string {
  const out = mkdtempSync(join(tmpdir(), 'lf-gen-'));
  const bin = join(root, 'node_modules', '.bin');
  execFileSync(join(bin, 'buf'), ['generate', '--template', genYaml, '--output', out], {
    cwd: protoRoot,
    env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
    stdio: 'pipe',
  });
  return join(out, 'src', 'gen');
}

describe('generated protobuf code', () => {
  it('is up to date with proto/ (run `npm run gen` and commit when this fails)', () => {
    const fresh = generateInto(root, join(root, 'buf.gen.yaml'));
    const committed = join(root, 'src', 'gen');
    expect(listFiles(committed)).toEqual(listFiles(fresh));
    for (const file of listFiles(fresh)) {
      const want = readFileSync(join(fresh, file), 'utf8');
      const have = readFileSync(join(committed, file), 'utf8');
      expect(have, `src/gen/${file} is stale: run npm run gen`).toBe(want);
    }
  });
});
