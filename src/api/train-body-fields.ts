import { z } from 'zod';

// The pieces Landfall's training body and the seed's share: same limits, same messages.

export const nameField = z.string().max(256);
export const uint32Field = z.number().int().min(0).max(4_294_967_295);
export const jobIdField = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, 'expected 1-128 printable ASCII characters without spaces');
export const rangeField = z.strictObject({ start: nameField, end: nameField });
export const featureSetField = z.strictObject({
  name: nameField.optional(),
  include: z.array(nameField).max(256).optional(),
  exclude: z.array(nameField).max(256).optional(),
});
export const outputDirField = z.string().max(4096);
