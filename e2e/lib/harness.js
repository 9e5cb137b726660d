// The harness every e2e test imports: the workerd runner (workerd.js), and a check that fails any
// test after which a worker's output shows a panic. A panic in a Worker is not a failed
// assertion: workerd answers 500, reinitialises the instance and carries on, so a test that
// expects an error response, or nothing written, could pass over one. Registered here, at the
// top level of the test file's module graph, the hooks run after every test of every file that
// imports this module, inside `describe` blocks too.
import { after, afterEach } from 'node:test';
import { startedWorkers } from './workerd.js';

export * from './workerd.js';

/** Throws when a worker's output shows a panic not taken by the test (`takePanics`). */
function failOnPanic() {
  const found = [];
  for (const worker of startedWorkers) {
    const panics = worker.takePanics();
    if (panics.length > 0) found.push(`workerd (pid ${worker.pid}):\n  ${panics.join('\n  ')}`);
    // A stopped worker has written its last line: it needs no further check.
    if (worker.stopped) startedWorkers.delete(worker);
  }
  if (found.length > 0) throw new Error(`a panic in workerd's output:\n${found.join('\n')}`);
}

afterEach(failOnPanic);
// What arrives after the last test (output is read asynchronously), and in `before`/`after` hooks.
after(failOnPanic);
