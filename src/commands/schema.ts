/**
 * `zbport schema`: the JSON Schema of pipeline definitions and installation profiles, generated from the zod schema so
 * editors can autocomplete (schema/pipeline.schema.json is this output, committed).
 */
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { Definition } from '../definition/schema.js';

export function pipelineJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(Definition, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://zbport.dev/schema/pipeline.schema.json',
    title: 'zbport pipeline or installation profile',
  };
}

export async function schemaCommand(opts: { out?: string }): Promise<number> {
  const text = `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`;
  if (opts.out) await writeFile(opts.out, text);
  else process.stdout.write(text);
  return 0;
}
