// Preloaded into a child zbport (`node --import`): when the process exits, writes its peak
// resident memory in kB (all threads) to the file named by ZBPORT_TEST_RSS_FILE. A process that
// dies of an exhausted heap writes nothing, and the test says so.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.ZBPORT_TEST_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
