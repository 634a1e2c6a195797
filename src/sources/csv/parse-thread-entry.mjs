// Worker threads start without the parent's TypeScript loader: register it, then run the parser.
import { register } from 'tsx/esm/api';

register();
await import('./parse-thread.ts');
