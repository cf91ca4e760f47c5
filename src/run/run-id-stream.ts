import { Writable } from 'node:stream';

/**
 * Puts the run id into every JSON line written through it (the progress renderer's lines, when stderr is
 * not a terminal), so every line a run prints carries its run id like the logger's own lines do; `fields`
 * (the logger's bindings, e.g. a fleet worker's `portal`) go in front of it.
 */
export function runIdStream(target: NodeJS.WritableStream, runId: string, fields: Record<string, unknown> = {}): NodeJS.WritableStream & { isTTY?: boolean } {
  let pending = '';
  const prefix = JSON.stringify({ ...fields, runId }).slice(1, -1);
  const stamp = (line: string) => (line.startsWith('{') ? `{${prefix},${line.slice(1)}` : line);
  return new Writable({
    write(chunk, _enc, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (lines.length > 0) target.write(lines.map((l) => `${stamp(l)}\n`).join(''));
      done();
    },
    final(done) {
      if (pending) target.write(`${stamp(pending)}\n`);
      done();
    },
  });
}
