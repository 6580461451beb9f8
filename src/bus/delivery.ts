import { reasonOf } from '../errors.js';
import {
  type BusMessage,
  type Delivery,
  DlqHeaders,
  dlqTopic,
  type Handler,
  type PublishOptions,
} from './types.js';

export interface DeliveryOptions {
  group: string;
  maxAttempts: number;
  /** Publishes the dead letter; the adapter's own publish. */
  publish: (topic: string, value: Uint8Array, options: PublishOptions) => Promise<void>;
  /** Lets the next message of the key start (see `Delivery`); a no-op by default. */
  release?: () => void;
  /** Called while a retry waits, so an adapter can extend its ack deadline. */
  onRetry?: (attempt: number, error: unknown) => void;
}

const MAX_BACKOFF_MS = 1_000;

/**
 * Runs a handler with in-place retries and dead-letters the message when they run out.
 * Resolves when the message may be acknowledged; rejects only when the dead letter could not
 * be published, in which case the adapter must not acknowledge (the message comes back).
 */
export async function deliver(message: BusMessage, handler: Handler, options: DeliveryOptions) {
  let lastError: unknown;
  const delivery: Delivery = { release: options.release ?? (() => {}) };
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    try {
      await handler(attempt === 1 ? message : { ...message, attempt }, delivery);
      return;
    } catch (err) {
      lastError = err;
      if (attempt < options.maxAttempts) {
        options.onRetry?.(attempt, err);
        await sleep(Math.min(MAX_BACKOFF_MS, 5 * 2 ** attempt));
      }
    }
  }
  await deadLetter(
    message,
    reasonOf(lastError),
    options.group,
    options.maxAttempts,
    options.publish,
  );
}

/** Sends a message to `<topic>.dlq` with the reason and where it came from. */
export async function deadLetter(
  message: BusMessage,
  reason: string,
  group: string,
  attempts: number,
  publish: DeliveryOptions['publish'],
): Promise<void> {
  await publish(dlqTopic(message.topic), message.value, {
    key: message.key,
    headers: {
      ...message.headers,
      [DlqHeaders.reason]: reason.slice(0, 1024),
      [DlqHeaders.topic]: message.topic,
      [DlqHeaders.offset]: message.offset,
      [DlqHeaders.group]: group,
      [DlqHeaders.attempts]: String(attempts),
      [DlqHeaders.key]: message.key,
    },
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
