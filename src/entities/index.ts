/**
 * What a pipeline row can become in the ERP. Field lists come from the catalog; this file only
 * says which catalog list an entity uses and how its records are matched and resolved.
 */
import { CONTACT_FIELDS, FOLLOWUP_FIELDS, type FieldSpec } from '../catalog/index.js';

export interface EntitySpec {
  name: 'contact' | 'followup';
  /** Chinese name for messages and templates. */
  title: string;
  fields: FieldSpec[];
  /** Fields a user may map (the record key is set by the ERP, except where it names a target). */
  mappable: FieldSpec[];
  /** Default fields that identify an existing record; empty where records have no natural key. */
  defaultMatchKeys: string[];
  /** The field that holds a reference resolved through a list lookup, and to what. */
  reference: { field: string; resolves: 'customer' | 'contact' };
}

const mappable = (fields: FieldSpec[], keep: string[] = []) => fields.filter((f) => !f.key || keep.includes(f.id));

export const ENTITIES: Record<EntitySpec['name'], EntitySpec> = {
  contact: {
    name: 'contact',
    title: '联系人',
    fields: CONTACT_FIELDS,
    // `ord` is mappable so an exported workbook can be re-imported as an update keyed on it.
    mappable: mappable(CONTACT_FIELDS, ['ord']),
    defaultMatchKeys: ['company', 'person_name', 'mobile'],
    reference: { field: 'company', resolves: 'customer' },
  },
  followup: {
    name: 'followup',
    title: '洽谈进展',
    fields: FOLLOWUP_FIELDS,
    mappable: mappable(FOLLOWUP_FIELDS),
    defaultMatchKeys: [],
    reference: { field: 'ord', resolves: 'contact' },
  },
};
