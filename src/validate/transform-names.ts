/** Names of the transforms a pipeline may use; the registry in transforms.ts must implement each. */
export const TRANSFORM_NAMES: readonly string[] = ['trim', 'halfwidth', 'phone', 'upper', 'lower', 'collapse-spaces', 'date', 'sex'];
