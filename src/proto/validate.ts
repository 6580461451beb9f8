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
  return checkerOf(desc)(message as Record<string, unknown>, prefix);
}

type Checker = (message: Record<string, unknown>, prefix: string) => string | undefined;

/** One field that holds or may nest an enum; the others are never looked at. */
interface EnumField {
  readonly name: string;
  readonly localName: string;
  /** The oneof's local name, when the field is one of its cases. */
  readonly oneof: string | undefined;
  readonly kind: 'enum' | 'message' | 'enumList' | 'messageList';
  /** The enum's numbers (enum kinds). */
  readonly known: ReadonlySet<number>;
  /** The nested message (message kinds). */
  readonly message: DescMessage | undefined;
}

const NO_NUMBERS: ReadonlySet<number> = new Set();
/**
 * Compiled once per message type: every message on a topic is checked, and walking the
 * descriptor with a linear search of each enum's values per message was a visible share of
 * the sink's CPU.
 */
const checkers = new WeakMap<DescMessage, Checker>();
const noEnums: Checker = () => undefined;

function checkerOf(desc: DescMessage): Checker {
  let checker = checkers.get(desc);
  if (checker === undefined) {
    checker = compile(desc);
    checkers.set(desc, checker);
  }
  return checker;
}

function compile(desc: DescMessage): Checker {
  const fields: EnumField[] = [];
  for (const field of desc.fields) {
    const kind = enumKind(field);
    if (kind === undefined) continue;
    const isEnum = kind === 'enum' || kind === 'enumList';
    fields.push({
      name: field.name,
      localName: field.localName,
      oneof: field.oneof?.localName,
      kind,
      known: isEnum && field.enum ? new Set(field.enum.values.map((v) => v.number)) : NO_NUMBERS,
      message: !isEnum && field.message ? field.message : undefined,
    });
  }
  if (fields.length === 0) return noEnums;
  return (record, prefix) => {
    for (const f of fields) {
      let value: unknown;
      if (f.oneof === undefined) value = record[f.localName];
      else {
        const oneof = record[f.oneof] as { case?: string; value?: unknown } | undefined;
        value = oneof?.case === f.localName ? oneof.value : undefined;
      }
      if (value === undefined) continue;
      const problem = checkValue(f, value, `${prefix}${f.name}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** How a field can hold an enum; undefined when it cannot (maps are not checked). */
function enumKind(field: DescField): EnumField['kind'] | undefined {
  switch (field.fieldKind) {
    case 'enum':
      return 'enum';
    case 'message':
      return nestsEnum(field.message, new Set()) ? 'message' : undefined;
    case 'list':
      if (field.listKind === 'enum') return 'enumList';
      if (field.listKind === 'message' && nestsEnum(field.message, new Set())) return 'messageList';
      return undefined;
    default:
      return undefined;
  }
}

/** Whether a message of this type can hold an enum that checkEnums would look at. */
function nestsEnum(desc: DescMessage, seen: Set<DescMessage>): boolean {
  if (seen.has(desc)) return false;
  seen.add(desc);
  for (const field of desc.fields) {
    if (field.fieldKind === 'enum') return true;
    if (field.fieldKind === 'message' && nestsEnum(field.message, seen)) return true;
    if (field.fieldKind === 'list') {
      if (field.listKind === 'enum') return true;
      if (field.listKind === 'message' && nestsEnum(field.message, seen)) return true;
    }
  }
  return false;
}

function checkValue(f: EnumField, value: unknown, path: string): string | undefined {
  switch (f.kind) {
    case 'enum':
      return knownEnum(f.known, value, path);
    case 'message':
      return checkEnums(f.message as DescMessage, value as object, `${path}.`);
    case 'enumList': {
      const items = value as unknown[];
      for (let i = 0; i < items.length; i++) {
        const problem = knownEnum(f.known, items[i], `${path}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'messageList': {
      const items = value as unknown[];
      const desc = f.message as DescMessage;
      for (let i = 0; i < items.length; i++) {
        const problem = checkEnums(desc, items[i] as object, `${path}[${i}].`);
        if (problem) return problem;
      }
      return undefined;
    }
  }
}

function knownEnum(known: ReadonlySet<number>, value: unknown, path: string) {
  return known.has(value as number) ? undefined : `${path}: unknown enum value ${String(value)}`;
}
