/**
 * `zbport init`: a first pipeline from a spreadsheet, for admins who know Excel but not YAML.
 * sample.ts reads the header (found below a title row when there is one) and the first rows,
 * propose.ts maps each header to a catalog field (caption, catalog alias, value shape) and
 * chooses lookup, match keys and mode, render.ts writes it as commented YAML that lints and
 * dry-runs as it stands.
 */
export { readSample, SAMPLE_ROWS, type Sample } from './sample.js';
export { propose, catalogHeaderKeys, type Proposal, type ProposedField } from './propose.js';
export { renderPipeline, yamlScalar } from './render.js';
export { knownHeaderKeys } from './known-columns.js';
