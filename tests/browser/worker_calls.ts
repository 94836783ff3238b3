// Calls from a test page into its Web Worker: the page posts { id, method, args }, the worker
// answers { id, value } or { id, error }. Both halves live here (page: callWorker; worker:
// serveCalls), so the Node side only ever evaluates `callWorker(method, ...args)` in the page.

type Api = Record<string, (...args: never[]) => unknown>;

interface Call {
  id: number;
  method: string;
  args: unknown[];
}

export function serveCalls(api: Api): void {
  const self = globalThis as unknown as {
    onmessage: (e: MessageEvent<Call>) => void;
    postMessage(m: unknown): void;
  };
  self.onmessage = async (e) => {
    const { id, method, args } = e.data;
    try {
      const f = api[method];
      if (!f) throw new Error(`no worker method ${method}`);
      self.postMessage({ id, value: await (f as (...a: unknown[]) => unknown)(...args) });
    } catch (err) {
      self.postMessage({ id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  };
}

/** Page side: starts the worker and returns a caller. */
export function startWorker(url: string): (method: string, ...args: unknown[]) => Promise<unknown> {
  const w = new Worker(url, { type: 'module' });
  let next = 1;
  const waiting = new Map<number, { ok(v: unknown): void; fail(e: Error): void }>();
  w.onmessage = (e: MessageEvent<{ id: number; value?: unknown; error?: string }>) => {
    const p = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (e.data.error !== undefined) p?.fail(new Error(e.data.error));
    else p?.ok(e.data.value);
  };
  w.onerror = (e) => {
    for (const p of waiting.values()) p.fail(new Error(`worker error: ${e.message}`));
    waiting.clear();
  };
  return (method, ...args) =>
    new Promise((ok, fail) => {
      const id = next++;
      waiting.set(id, { ok, fail });
      w.postMessage({ id, method, args });
    });
}
