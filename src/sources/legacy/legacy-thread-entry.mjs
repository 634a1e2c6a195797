// Worker threads start without the parent's TypeScript loader: register it, then run the reader.
// (The build compiles legacy-thread.ts to dist/legacy-thread-entry.mjs, which needs no loader.)
import { register } from 'tsx/esm/api';

register();
await import('./legacy-thread.ts');
