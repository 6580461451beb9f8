import { create, createFileRegistry, type DescField, type DescMessage } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as audit from '../gen/landfall/v1/audit_pb.js';
import * as control from '../gen/landfall/v1/control_pb.js';
import * as jobs from '../gen/landfall/v1/jobs_pb.js';
import * as realtime from '../gen/landfall/v1/realtime_pb.js';
import { checkEnums } from './validate.js';

/** The reflective walk checkEnums replaced: the compiled checks must answer exactly as it did. */
function walk(desc: DescMessage, message: object, prefix = ''): string | undefined {
  const record = message as Record<string, unknown>;
  for (const field of desc.fields) {
    let value: unknown;
    if (field.oneof === undefined) value = record[field.localName];
    else {
      const oneof = record[field.oneof.localName] as { case?: string; value?: unknown };
      value = oneof?.case === field.localName ? oneof.value : undefined;
    }
    if (value === undefined) continue;
    const path = `${prefix}${field.name}`;
    const problem = walkValue(field, value, path);
    if (problem) return problem;
  }
  return undefined;
}

function walkValue(field: DescField, value: unknown, path: string): string | undefined {
  const known = (values: ReadonlyArray<{ number: number }>, v: unknown, p: string) =>
    values.some((e) => e.number === v) ? undefined : `${p}: unknown enum value ${String(v)}`;
  switch (field.fieldKind) {
    case 'enum':
      return known(field.enum.values, value, path);
    case 'message':
      return walk(field.message, value as object, `${path}.`);
    case 'list':
      for (const [i, item] of (value as unknown[]).entries()) {
        const problem =
          field.listKind === 'enum'
            ? known(field.enum.values, item, `${path}[${i}]`)
            : field.listKind === 'message'
              ? walk(field.message, item as object, `${path}[${i}].`)
              : undefined;
        if (problem) return problem;
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Today's protos have no repeated enum and no repeated message holding one: a made-up file
 * with those, a oneof of both kinds and a recursive type exercises every branch.
 */
const synthetic = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'synthetic.proto',
    package: 't',
    syntax: 'proto3',
    enumType: [{ name: 'E', value: [0, 1, 2, 5].map((n) => ({ name: `E_${n}`, number: n })) }],
    messageType: [
      {
        name: 'Tree',
        oneofDecl: [{ name: 'pick' }],
        field: [
          { name: 'es', number: 1, label: Label.REPEATED, type: Type.ENUM, typeName: '.t.E' },
          {
            name: 'kids',
            number: 2,
            label: Label.REPEATED,
            type: Type.MESSAGE,
            typeName: '.t.Tree',
          },
          { name: 'e', number: 3, label: Label.OPTIONAL, type: Type.ENUM, typeName: '.t.E' },
          {
            name: 'leaf',
            number: 4,
            label: Label.OPTIONAL,
            type: Type.MESSAGE,
            typeName: '.t.Leaf',
          },
          {
            name: 'a',
            number: 5,
            label: Label.OPTIONAL,
            type: Type.MESSAGE,
            typeName: '.t.Tree',
            oneofIndex: 0,
          },
          {
            name: 'b',
            number: 6,
            label: Label.OPTIONAL,
            type: Type.ENUM,
            typeName: '.t.E',
            oneofIndex: 0,
          },
          {
            name: 'leaves',
            number: 7,
            label: Label.REPEATED,
            type: Type.MESSAGE,
            typeName: '.t.Leaf',
          },
        ],
      },
      { name: 'Leaf', field: [{ name: 'n', number: 1, label: Label.OPTIONAL, type: Type.INT32 }] },
    ],
  }),
  () => undefined,
).getMessage('t.Tree') as DescMessage;

const schemas = [audit, control, jobs, realtime]
  .flatMap((m) => Object.values(m))
  .filter((v): v is DescMessage => (v as { kind?: string }).kind === 'message')
  .concat(synthetic);

type Gen = fc.GeneratorValue;

/** A message with every enum (top level, nested, in lists and oneofs) set to a random number. */
function randomMessage(g: Gen, desc: DescMessage, depth: number): object {
  const message = create(desc) as unknown as Record<string, unknown>;
  for (const field of desc.fields) {
    const value = randomValue(g, field, depth);
    if (value === undefined) continue;
    if (field.oneof === undefined) message[field.localName] = value;
    else if (g(fc.boolean)) message[field.oneof.localName] = { case: field.localName, value };
  }
  return message;
}

function enumNumber(g: Gen, values: ReadonlyArray<{ number: number }>): number {
  return g(fc.boolean)
    ? (values[g(fc.nat, values.length - 1)] as { number: number }).number
    : g(fc.integer, { min: -3, max: 40 });
}

function randomValue(g: Gen, field: DescField, depth: number): unknown {
  switch (field.fieldKind) {
    case 'enum':
      return enumNumber(g, field.enum.values);
    case 'message':
      return depth < 3 && g(fc.boolean) ? randomMessage(g, field.message, depth + 1) : undefined;
    case 'list': {
      const n = depth < 3 ? g(fc.nat, 3) : 0;
      if (field.listKind === 'enum')
        return Array.from({ length: n }, () => enumNumber(g, field.enum.values));
      if (field.listKind === 'message')
        return Array.from({ length: n }, () => randomMessage(g, field.message, depth + 1));
      return undefined;
    }
    default:
      return undefined;
  }
}

describe('checkEnums', () => {
  it('covers messages with enums nested, in lists and in oneofs', () => {
    expect(schemas.length).toBeGreaterThan(10);
    expect(schemas).toContain(realtime.EnvelopeSchema);
    expect(synthetic.fields.map((f) => f.fieldKind)).toEqual([
      'list',
      'list',
      'enum',
      'message',
      'message',
      'enum',
      'list',
    ]);
  });

  it('answers exactly as the reflective walk, path and message, on random enum values', () => {
    fc.assert(
      // Indices, not descriptors: fast-check compares values, and descriptors are cyclic.
      fc.property(fc.nat(schemas.length - 1), fc.gen(), (k, g) => {
        const desc = schemas[k] as DescMessage;
        const message = randomMessage(g, desc, 0);
        expect(checkEnums(desc, message)).toBe(walk(desc, message));
        expect(checkEnums(desc, message, 'x.')).toBe(walk(desc, message, 'x.'));
      }),
      { numRuns: 2000 },
    );
  });

  it('names the first bad path', () => {
    const tree = (init: Record<string, unknown>) => create(synthetic, init) as object;
    const t = tree({
      kids: [tree({}), tree({ pick: { case: 'a', value: tree({ es: [1, 3] }) } })],
    });
    expect(checkEnums(synthetic, t)).toBe('kids[1].a.es[1]: unknown enum value 3');
    const m = create(realtime.BundleOutcomeSchema, { module: 99 as never });
    expect(checkEnums(realtime.BundleOutcomeSchema, m)).toBe('module: unknown enum value 99');
    const e = create(realtime.EnvelopeSchema, {
      payload: {
        case: 'outcome',
        value: create(realtime.BundleOutcomeSchema, { module: 7 as never }),
      },
    });
    expect(checkEnums(realtime.EnvelopeSchema, e)).toBe('outcome.module: unknown enum value 7');
  });
});
