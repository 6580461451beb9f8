import {
  create,
  type DescField,
  type DescMessage,
  type MessageShape,
  ScalarType,
} from '@bufbuild/protobuf';

const LONG = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);

function scalar(type: ScalarType, name: string): unknown {
  switch (type) {
    case ScalarType.STRING:
      return `${name}-v`;
    case ScalarType.BOOL:
      return true;
    case ScalarType.BYTES:
      return new Uint8Array([7]);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return 1.5;
    default:
      return LONG.has(type) ? 7n : 7;
  }
}

function value(field: DescField): unknown {
  switch (field.fieldKind) {
    case 'scalar':
      return scalar(field.scalar, field.name);
    case 'enum':
      return 1;
    case 'message':
      return fullMessage(field.message);
    case 'list':
      if (field.listKind === 'scalar')
        return [scalar(field.scalar, field.name), scalar(field.scalar, `${field.name}2`)];
      if (field.listKind === 'enum') return [1, 1];
      return [fullMessage(field.message), fullMessage(field.message)];
    case 'map':
      return {};
  }
}

/**
 * A message with every field set to a value that is not its default (strings `<name>-v`,
 * numbers 7 or 1.5, enums their value 1, lists of two): decoded into columns, a column left
 * at its default shows a column that no field maps to.
 */
export function fullMessage<Desc extends DescMessage>(desc: Desc): MessageShape<Desc> {
  const message = create(desc) as Record<string, unknown>;
  for (const field of desc.fields) message[field.localName] = value(field);
  return message as MessageShape<Desc>;
}
