// Worker threads do not inherit the main thread's TypeScript loader (tsx): register it here,
// then load the delivery thread itself.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
