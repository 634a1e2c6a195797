/**
 * The entities a pipeline row can become, by name (`entity:` in a pipeline). Each is a spec in a
 * file of its own (types.ts says what a spec holds); nothing else in zbport branches on which
 * entity it is.
 */
import { CONTACT } from './contact.js';
import { CUSTOMER } from './customer.js';
import { FOLLOWUP } from './followup.js';
import type { EntityName, EntitySpec } from './types.js';

export const ENTITIES: Record<EntityName, EntitySpec> = { contact: CONTACT, followup: FOLLOWUP, customer: CUSTOMER };
export const ENTITY_NAMES = Object.keys(ENTITIES) as EntityName[];

export type { EntityContext, EntityName, EntityRun, EntitySpec, Rejection } from './types.js';
