import { reasonOf } from '../errors.js';
import type { BusPort, PortReply, PortRequest } from './port-bus.js';
import type { Bus, BusMessage, Subscription } from './types.js';

/**
 * Serves a PortBus on another thread from this thread's bus: its publishes go out here and
 * are confirmed back once per event-loop turn; its subscriptions are made here, each message
 * posted over and acknowledged here only once the other thread's handler settled.
 * Returns a function that closes the subscriptions it made (idempotent); call it as soon as the
 * other thread is gone, whatever the reason, so the bus never waits on it.
 */
export function bridgeBus(bus: Bus, port: BusPort): () => Promise<void> {
  const subs = new Map<number, Promise<Subscription>>();
  const handling = new Map<string, { resolve: () => void; reject: (err: Error) => void }>();
  let ok: number[] = [];
  let failed: Array<{ id: number; error: string }> = [];
  let nextMsg = 0;
  const post = (reply: PortReply) => port.postMessage(reply);
  const confirm = () => {
    if (ok.length === 0 && failed.length === 0) return;
    post({ t: 'pubacks', ok, failed });
    ok = [];
    failed = [];
  };
  let confirming = false;
  const confirmSoon = () => {
    if (confirming) return;
    confirming = true;
    setImmediate(() => {
      confirming = false;
      confirm();
    });
  };

  const onRequest = (request: PortRequest) => {
    switch (request.t) {
      case 'pub':
        for (const { id, topic, value, options } of request.batch) {
          bus.publish(topic, value, options).then(
            () => {
              ok.push(id);
              confirmSoon();
            },
            (err: unknown) => {
              failed.push({ id, error: reasonOf(err) });
              confirmSoon();
            },
          );
        }
        return;
      case 'sub': {
        const { id } = request;
        const sub = bus.subscribe(
          request.topic,
          (message) =>
            new Promise<void>((resolve, reject) => {
              // The other thread is gone: nothing will answer, and a handler that never settles
              // would hold the bus's close (and a retry would post into the void again).
              if (closed) return resolve();
              const msg = ++nextMsg;
              handling.set(`${id}/${msg}`, { resolve, reject });
              post({ t: 'deliver', sub: id, msg, message: portable(message) });
            }),
          request.options,
        );
        subs.set(id, sub);
        sub.then(
          () => post({ t: 'subscribed', id }),
          (err: unknown) => {
            subs.delete(id);
            post({ t: 'subscribed', id, error: reasonOf(err) });
          },
        );
        return;
      }
      case 'unsub': {
        const sub = subs.get(request.id);
        subs.delete(request.id);
        void (sub ?? Promise.resolve(undefined))
          .then((s) => s?.close())
          .catch(() => {})
          .then(() => post({ t: 'unsubscribed', id: request.id }));
        return;
      }
      case 'handled': {
        const key = `${request.sub}/${request.msg}`;
        const waiting = handling.get(key);
        handling.delete(key);
        if (request.error === undefined) waiting?.resolve();
        else waiting?.reject(new Error(request.error));
        return;
      }
    }
  };
  port.on('message', onRequest);
  let closed = false;
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      closed = true;
      port.off('message', onRequest);
      const open = [...subs.values()];
      subs.clear();
      // Handlers the other thread will never answer (it is gone) must not hold the bus's close.
      for (const w of handling.values()) w.resolve();
      handling.clear();
      await Promise.allSettled(open.map((s) => s.then((x) => x.close())));
    })();
    return closing;
  };
}

/**
 * The message as plain data with its own bytes: a bus may hand a handler a view into a shared
 * chunk (structured clone would copy the whole chunk) on an object that carries methods (which
 * cannot be cloned at all).
 */
function portable(m: BusMessage): BusMessage {
  return {
    topic: m.topic,
    key: m.key,
    value: m.value.slice(),
    headers: { ...m.headers },
    offset: m.offset,
    timestamp: m.timestamp,
    attempt: m.attempt,
  };
}
