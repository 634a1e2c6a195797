/**
 * The list columns an import relies on, by what it does: finding customers, matching existing
 * contacts, reading creates back, finding a follow-up's contact. The preflight checks them
 * against the server before any row is read, and every page read later is held to them.
 */
import type { ColumnNeed } from '../installation/list-layout.js';
import type { ListNeeds } from '../installation/preflight.js';
import type { ImportConfig } from '../definition/schema.js';

const ORD_CUSTOMER: ColumnNeed = { anyOf: ['ord'], why: '客户 ID / the customer id' };

export function importNeeds(config: ImportConfig, matchKeys: string[]): ListNeeds {
  const customer: ColumnNeed[] = [ORD_CUSTOMER];
  if (config.entity === 'contact') {
    if (config.lookup.by === 'name') customer.push({ anyOf: ['name'], why: '按客户名称查找客户 / finding customers by name' });
    if (config.lookup.by === 'code') customer.push({ anyOf: ['khid'], why: '按客户编号查找客户 / finding customers by number' });
    const needs: ListNeeds = { customer };
    // Matching on ord reads details, not the list.
    if (!matchKeys.includes('ord')) {
      needs.contact = [
        { anyOf: ['ord'], why: '联系人 ID：查找已有联系人、读回核对新建的联系人 / the contact id: matching and reading creates back' },
        ...matchKeys.map((k): ColumnNeed => (k === 'company'
          ? { anyOf: ['company', 'customer_name'], why: '匹配键 关联客户 / the match key company' }
          : { anyOf: [k], why: `匹配键 ${k} / the match key ${k}` })),
      ];
    }
    return needs;
  }
  // Follow-ups find their contact through the picking list.
  const by = config.contactLookup.by;
  if (by === 'ord') return {};
  const pick: ColumnNeed[] = [{ anyOf: ['ord'], why: '联系人 ID / the contact id' }];
  if (by === 'mobile') return { contactPick: [...pick, { anyOf: ['mobile'], why: '按手机查找联系人 / finding contacts by mobile' }] };
  customer.push({ anyOf: ['name'], why: '按客户名称查找客户 / finding customers by name' });
  return { customer, contactPick: [...pick, { anyOf: ['person_name'], why: '按客户 + 姓名查找联系人 / finding contacts by company and name' }] };
}
