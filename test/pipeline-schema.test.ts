import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { pipelineJsonSchema } from '../src/commands/schema.js';

describe('published JSON Schema', () => {
  it('is the one generated from the zod schema (run `zbport schema -o schema/pipeline.schema.json` after changing it)', () => {
    const committed = JSON.parse(readFileSync('schema/pipeline.schema.json', 'utf8'));
    expect(committed).toEqual(pipelineJsonSchema());
  });

  it('describes the settings editors complete', () => {
    const text = JSON.stringify(pipelineJsonSchema());
    for (const key of ['mapping', 'matchKeys', 'concurrency', 'headerRow', 'encoding', 'skip-existing']) expect(text).toContain(key);
  });
});
