/**
 * The chart worker from the main thread's side: start it early, ask it to
 * draw once, stop it. If the worker cannot start or fails, the charts are
 * drawn in this thread instead (slower to load, same result).
 */
import { Worker } from 'node:worker_threads';
import type { ChartModels } from './models.js';
import type { ChartSvgs } from './render.js';

type Reply = { ok: true; charts: ChartSvgs } | { ok: false; error: string } | { ready: true };

export class ChartWorker {
  private worker: Worker | undefined;
  private failed = false;

  constructor() {
    try {
      this.worker = new Worker(new URL('./worker.js', import.meta.url));
      this.worker.unref();
      this.worker.on('error', () => { this.failed = true; });
    } catch {
      this.failed = true;
    }
  }

  /** The charts of `models`, drawn by the worker (or here, when it failed). Stops the worker. */
  async render(models: ChartModels): Promise<ChartSvgs> {
    const worker = this.worker;
    if (worker !== undefined && !this.failed) {
      try {
        return await new Promise<ChartSvgs>((resolve, reject) => {
          const onMessage = (reply: Reply): void => {
            if ('ready' in reply) return;
            worker.off('message', onMessage);
            if (reply.ok) resolve(reply.charts);
            else reject(new Error(reply.error));
          };
          worker.on('message', onMessage);
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`chart worker exited with ${code}`)));
          worker.postMessage(models);
        });
      } catch {
        // Fall through: draw in this thread.
      } finally {
        void this.close();
      }
    }
    const { renderCharts } = await import('./render.js');
    return renderCharts(models);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }
}
