// The body of one delivery thread: an HttpSender of its own (agent, SSRF guard, deadlines, no
// redirects, capped answers: all as in-process), fed batches of requests by pool.ts. Results go
// back in batches: every try that ended in one turn of this thread's event loop, one message.
import { parentPort, workerData } from 'node:worker_threads';
import type { AttemptResult } from '../../domain/attempt.ts';
import { HttpSender } from '../sender.ts';
import { decode, encode, type FromThread, type HttpOptions, type RequestBatch, type ResultBatch, type ToThread } from './wire.ts';

const port = parentPort!;
const sender = new HttpSender(workerData as HttpOptions);
let done: ResultBatch = [];
let isFlushScheduled = false;

function flush(): void {
  isFlushScheduled = false;
  const batch = encode(done);
  done = [];
  port.postMessage({ type: 'results', batch } satisfies FromThread);
}

function finished(id: number, result: AttemptResult | null): void {
  done.push([id, result]);
  if (!isFlushScheduled) {
    isFlushScheduled = true;
    setImmediate(flush);
  }
}

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'send':
      for (const [id, request] of decode<RequestBatch>(message.batch)) {
        // send() never throws for anything a receiver does; a bug still answers (as "aborted").
        sender.send(request).then(
          (result) => finished(id, result),
          () => finished(id, null),
        );
      }
      return;
    case 'abort':
      sender.abortAll();
      return;
    case 'close':
      void sender.close().finally(() => {
        if (isFlushScheduled) flush();
        port.postMessage({ type: 'closed' } satisfies FromThread);
        port.close();
      });
  }
});
