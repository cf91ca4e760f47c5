import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The task (extractor `desc`) a request is made for, carried implicitly from the processor's item
 * callback down to the executor so extractors need not thread it through every API call.
 */
export interface TaskContext {
  desc: string;
  /** Passed to the limiters for every request made for the task (see AcquireOptions.priority). */
  priority?: number;
}

const storage = new AsyncLocalStorage<TaskContext>();

export function runInTask<T>(context: TaskContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentTask(): TaskContext | undefined {
  return storage.getStore();
}
