import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import {
  type FieldDescriptorProto,
  FileDescriptorSetSchema,
  FieldDescriptorProto_Type as T,
} from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';

const WIRE: Record<number, string> = {
  [T.DOUBLE]: 'fixed64',
  [T.FIXED64]: 'fixed64',
  [T.SFIXED64]: 'fixed64',
  [T.FLOAT]: 'fixed32',
  [T.FIXED32]: 'fixed32',
  [T.SFIXED32]: 'fixed32',
  [T.STRING]: 'length-delimited',
  [T.BYTES]: 'length-delimited',
  [T.MESSAGE]: 'length-delimited',
};

/** "number wire-type [repeated]" of a field: what decides whether another encoder's bytes read. */
function wireOf(f: FieldDescriptorProto): string {
  const repeated = f.label === 3 ? ' repeated' : '';
  return `${f.number} ${WIRE[f.type] ?? 'varint'}${repeated}`;
}

function fieldsByMessage(
  root: string,
  file: string,
  dir: string,
): Map<string, Map<string, string>> {
  const out = join(dir, `${file.replaceAll('/', '_')}.pb`);
  execFileSync('protoc', ['-I', root, `--descriptor_set_out=${out}`, join(root, file)]);
  const set = fromBinary(FileDescriptorSetSchema, readFileSync(out));
  const messages = new Map<string, Map<string, string>>();
  for (const m of set.file[0]?.messageType ?? []) {
    messages.set(m.name, new Map(m.field.map((f) => [f.name, wireOf(f)])));
  }
  return messages;
}

// buf breaking (in .ci/run) holds jobs.proto to its own last baseline; this holds it to the
// seed's, whose package differs, message by message and field by field.
describe.skipIf(spawnSync('protoc', ['--version']).status !== 0)(
  "jobs.proto keeps every field of the seed's jobs.proto (number and wire type)",
  () => {
    it('matches test/fixtures/seed/jobs.proto field for field', () => {
      const dir = mkdtempSync(join(tmpdir(), 'lf-seed-desc-'));
      try {
        const seed = fieldsByMessage('test/fixtures/seed', 'jobs.proto', dir);
        const ours = fieldsByMessage('proto', 'landfall/v1/jobs.proto', dir);
        expect([...seed.keys()]).toEqual(
          expect.arrayContaining(['TrainRequest', 'TrainAck', 'HyperParams']),
        );
        const differences: string[] = [];
        for (const [message, fields] of seed) {
          for (const [field, wire] of fields) {
            const mine = ours.get(message)?.get(field);
            if (mine !== wire) differences.push(`${message}.${field}: seed ${wire}, ours ${mine}`);
          }
        }
        expect(differences).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
