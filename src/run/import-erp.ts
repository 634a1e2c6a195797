/**
 * What an import needs of the ERP, in the import's own terms (records keyed by catalog field id).
 * Implemented over the protocol client in erp-adapter.ts; kept narrow so the import logic reads
 * as the business rules it is.
 */
import type { RowSlots } from '../erp/concurrency-limit.js';

export interface CustomerRef {
  ord: string;
  name: string;
  khid: string;
}

export interface ContactRef {
  ord: string;
  /** Catalog field id → value, as the list shows it. */
  values: Record<string, string>;
}

export type SaveOutcome = { outcome: 'saved' | 'unknown'; text: string };

export interface ImportErp {
  /** With `write.concurrency: auto`: the slots rows take, as many as the ERP's current limit allows. */
  readonly rowSlots?: RowSlots;
  /** Whether this installation's list shows a field (per its column map, checked before the run). */
  shows(list: 'contact' | 'contactPick' | 'customer', key: string): boolean;
  /** Customers whose name contains `name` (the ERP matches fuzzily), every page. */
  customersByName(name: string): Promise<CustomerRef[]>;
  /** Customers whose number (客户编号) contains `code`, every page. */
  customersByCode(code: string): Promise<CustomerRef[]>;
  /** The customer with this ord, if any. */
  customerById(ord: string): Promise<CustomerRef | undefined>;
  /** How many customers the ERP holds (one cheap request, the run's own: outside a fixed cap on rows). */
  customerCount(): Promise<number>;
  /** Every customer, paged; `background`: the run's own read, outside a fixed cap on rows (a load at its start). */
  allCustomers(o?: { background?: boolean }): AsyncIterable<CustomerRef>;
  /** Contacts matching list filters (fuzzy text filters, exact ids), every page; `pick` uses checktype=radio. */
  contacts(filters: Record<string, string>, opts?: { pick?: boolean }): Promise<ContactRef[]>;
  /** Customers matching list filters, as the list shows them (every field it shows), every page. */
  customerRecords(filters: Record<string, string>): Promise<ContactRef[]>;
  /** Every customer as the list shows it, paged (a dry run's match index). */
  allCustomerRecords(): AsyncIterable<ContactRef>;
  /** A customer's detail (custom/add.asp?edit=1), or undefined when the ERP has no such ord. */
  customerDetail(ord: string): Promise<Record<string, string> | undefined>;
  /** A new customer id, and the values the form suggests with it (客户编号). */
  allocateCustomer(): Promise<{ ord: string; suggested: Record<string, string> }>;
  /** Saves a customer with an allocated (create) or existing (update) ord. Throws typed ERP errors. */
  saveCustomer(values: Record<string, string>): Promise<SaveOutcome>;
  /** How many contacts the ERP holds (one cheap request, the run's own: outside a fixed cap on rows). */
  contactCount(): Promise<number>;
  /** A page of the contact list, newest first (by ord, descending), for batch verification. */
  newestContacts(pagesize: number, pageindex: number): Promise<{ rows: ContactRef[] }>;
  /** The verifier's first page of newest contacts, read with the column checks if readNewestEarly asked for it. */
  newestAtStart(pagesize: number): Promise<{ rows: ContactRef[] }>;
  /** Rows per list page this installation allows. */
  readonly maxPageSize: number;
  /** Every contact, paged (a dry run's match index, a real run's key index); `background` as for allCustomers. */
  allContacts(o?: { background?: boolean }): AsyncIterable<ContactRef>;
  /** A contact's detail (person/add.asp?edit=1), or undefined when the ERP has no such ord. */
  contactDetail(ord: string): Promise<Record<string, string> | undefined>;
  /** Saves a contact (create without ord, update with ord). Throws typed ERP errors. */
  saveContact(values: Record<string, string>): Promise<SaveOutcome>;
  /** Saves a follow-up (洽谈进展) for a contact (ord = the contact). Throws typed ERP errors. */
  saveFollowup(values: Record<string, string>): Promise<SaveOutcome>;
}
