export { halfwidth, normalizeHeader } from './text.js';
export { fromExcelSerial, isValidDate, parseDateText, type DateResult } from './dates.js';
export { cleanPhone, normalizeSex, TRANSFORM_NAMES, TRANSFORMS, type TransformSpec } from './transforms.js';
export { validateRecord, validateValue, type RecordProblem, type ValidateOptions, type ValueResult } from './validate-value.js';
