// Worker threads do not inherit the main thread's TypeScript loader (tsx): register it here,
// then load the database worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
