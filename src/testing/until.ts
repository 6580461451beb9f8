type Falsy = false | 0 | 0n | '' | null | undefined;

/**
 * How long `until` waits unless told: generous for a loaded 2-core machine, and under vitest's
 * 60 s test timeout, so a hung wait fails with its own label.
 */
export const UNTIL_TIMEOUT_MS = 45_000;

/** What `until` throws when its time is up; an error of the condition itself passes through. */
export class UntilTimeout extends Error {
  override name = 'UntilTimeout';
}

/**
 * Polls `condition` (sync or async) every `pollMs` until it returns a truthy value, and
 * resolves to that value; throws naming `what` after `timeoutMs`. The timeout only bounds a
 * hung test: nothing is asserted about how long the wait took.
 */
export async function until<T>(
  condition: () => T | PromiseLike<T>,
  what: string,
  timeoutMs = UNTIL_TIMEOUT_MS,
  pollMs = 10,
): Promise<Exclude<T, Falsy>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as Exclude<T, Falsy>;
    if (Date.now() > deadline)
      throw new UntilTimeout(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
