import type { DescField, DescMessage } from '@bufbuild/protobuf';

/** Ids are printable ASCII without spaces: they become keys, file names and ClickHouse values. */
const ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

export function checkId(value: string, field: string): string | undefined {
  if (value === '') return `${field} is required`;
  if (!ID_PATTERN.test(value))
    return `${field} must be 1-128 printable ASCII characters without spaces`;
  return undefined;
}

/**
 * Proto3 enums are open: an unknown number decodes without error. Landfall rejects them, so a
 * consumer never acts on a value it does not understand. Returns the first bad field path.
 */
export function checkEnums(desc: DescMessage, message: object, prefix = ''): string | undefined {
  const record = message as Record<string, unknown>;
  for (const field of desc.fields) {
    const value = fieldValue(field, record);
    if (value === undefined) continue;
    const path = `${prefix}${field.name}`;
    const problem = checkFieldValue(field, value, path);
    if (problem) return problem;
  }
  return undefined;
}

function fieldValue(field: DescField, record: Record<string, unknown>): unknown {
  if (field.oneof === undefined) return record[field.localName];
  const oneof = record[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
  return oneof?.case === field.localName ? oneof.value : undefined;
}

function checkFieldValue(field: DescField, value: unknown, path: string): string | undefined {
  switch (field.fieldKind) {
    case 'enum':
      return knownEnum(field.enum.values, value, path);
    case 'message':
      return checkEnums(field.message, value as object, `${path}.`);
    case 'list':
      for (const [i, item] of (value as unknown[]).entries()) {
        const problem =
          field.listKind === 'enum'
            ? knownEnum(field.enum.values, item, `${path}[${i}]`)
            : field.listKind === 'message'
              ? checkEnums(field.message, item as object, `${path}[${i}].`)
              : undefined;
        if (problem) return problem;
      }
      return undefined;
    default:
      return undefined;
  }
}

function knownEnum(values: ReadonlyArray<{ number: number }>, value: unknown, path: string) {
  return values.some((v) => v.number === value)
    ? undefined
    : `${path}: unknown enum value ${String(value)}`;
}
