// `npm run receiver`: a webhook receiver for trying Herald on one machine (the README's walk-through).
// Listens on 127.0.0.1:9000 (RECEIVER_PORT to change), prints each request's headers and body,
// and answers 200, or 500 when the path ends with /fail. With HERALD_WEBHOOK_SECRET=whsec_… it
// checks the Standard Webhooks signature of every request and answers 401 when it does not match.
// Plain node:crypto, no library: the signature is "v1," + base64 HMAC-SHA256 of
// "{webhook-id}.{webhook-timestamp}.{raw body}", keyed with the base64 part of the secret.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.RECEIVER_PORT ?? 9000);
const secret = process.env.HERALD_WEBHOOK_SECRET ?? '';
const TOLERANCE_SECONDS = 5 * 60;

if (secret && !/^whsec_[A-Za-z0-9+/=]+$/.test(secret)) {
  console.error('receiver: HERALD_WEBHOOK_SECRET must be the webhook\'s "whsec_…" secret (GET /v1/webhooks/{id}/secret)');
  process.exit(1);
}

/** null when the signature verifies, else why not. */
function signatureProblem(headers, body) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return 'webhook-id, webhook-timestamp or webhook-signature is missing';
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return 'webhook-timestamp is more than 5 minutes away';
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64'));
  // After a rotation the header holds two signatures, space-separated: either may match.
  const matches = signatures.split(' ').some((entry) => {
    const given = Buffer.from(entry.replace(/^v1,/, ''));
    return entry.startsWith('v1,') && given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? null : 'no signature matches HERALD_WEBHOOK_SECRET';
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (request.url ?? '/').split('?')[0];
    const lines = [`--> ${request.method} ${request.url}  ${new Date().toISOString()}`];
    for (const [name, value] of Object.entries(request.headers)) lines.push(`    ${name}: ${value}`);
    lines.push(`    body: ${body}`);
    let status = path.endsWith('/fail') ? 500 : 200;
    if (secret) {
      const problem = signatureProblem(request.headers, body);
      lines.push(problem ? `    signature: REFUSED (${problem})` : '    signature: verified');
      if (problem) status = 401;
    } else {
      lines.push('    signature: not checked (start with HERALD_WEBHOOK_SECRET=whsec_… to check it)');
    }
    lines.push(`<-- ${status}`);
    console.log(lines.join('\n'));
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ received: status < 300 }));
  });
});

server.on('error', (error) => {
  console.error(`receiver: cannot listen on 127.0.0.1:${port}: ${error.message} (set RECEIVER_PORT to another port)`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  const checks = secret ? 'checking signatures with HERALD_WEBHOOK_SECRET' : 'not checking signatures (no HERALD_WEBHOOK_SECRET)';
  console.log(`receiver listening on http://127.0.0.1:${server.address().port}, ${checks}; paths ending in /fail answer 500`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
