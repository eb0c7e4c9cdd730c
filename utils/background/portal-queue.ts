/**
 * One action at a time per portal, whatever the action (Pin all, Unpin all, Undo): a second action on the same
 * portal waits for the first to finish and then runs on its own (it never joins another action's outcome; Pin all
 * triggers still join each other through the pin's own single-flight). Actions on different portals overlap.
 * Memory only: it dies with the worker, together with the requests it orders.
 */
export interface PortalQueue {
  /** Runs `action` once every earlier action on `portal` has settled; resolves or rejects with it. */
  run<T>(portal: string, action: () => Promise<T>): Promise<T>;
  /** Whether an action on `portal` is running or waiting. */
  busy(portal: string): boolean;
}

/** Creates an empty queue. */
export function createPortalQueue(): PortalQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(portal, action) {
      const previous = tails.get(portal) ?? Promise.resolve();
      const result = previous.then(action, action);
      const tail = result.catch(() => undefined);
      tails.set(portal, tail);
      void tail.then(() => {
        if (tails.get(portal) === tail) tails.delete(portal);
      });
      return result;
    },
    busy: (portal) => tails.has(portal),
  };
}
