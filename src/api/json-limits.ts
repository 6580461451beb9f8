import { InvalidBodyError } from './body.js';

/**
 * The deepest nesting of objects and arrays in JSON `text`, scanned once without recursion and
 * without parsing, stopping as soon as it passes `limit`. Brackets inside strings do not count.
 * Text that is not JSON still gets a number; the parser refuses it afterwards.
 */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped, whatever it is
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Refuses JSON nested deeper than `maxDepth` (api.bodyMaxDepth) with a 400 naming the limit.
 * Run before JSON.parse: a body thousands of levels deep parses, but every recursive walk
 * after it (validation, the audit's serialiser) overflows the stack.
 */
export function assertJsonDepth(text: string, maxDepth: number): void {
  if (jsonDepth(text, maxDepth) > maxDepth)
    throw new InvalidBodyError(
      '(body)',
      `nested deeper than ${maxDepth} levels (api.bodyMaxDepth); send a flatter body`,
    );
}
