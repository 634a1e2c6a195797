/**
 * Wire shapes of the ZB ERP mobile-ASP JSON protocol ("ZSML" V1.0), as far as public
 * material shows them: see ../shared/erp-protocol.md. Shared by the client and the emulator.
 */

/** One request parameter; the server turns every `val` into a string, so we only send strings. */
export interface DataItem {
  id: string;
  val: string;
}

/** PostClass: the request body. */
export interface RequestEnvelope {
  session: string;
  cmdkey: string;
  datas: DataItem[];
  model?: string;
  action?: string;
  cmdtxt?: string;
}

/** HeaderClass. `status` may arrive as a number or a numeric string (`"11"`). */
export interface ResponseHeader {
  status: number | string;
  message?: string;
  session?: string;
  appversion?: string;
  language?: string;
}

/** MessageClass, in `body.message`. */
export interface MessageBody {
  title?: string;
  text?: string;
  url?: string;
  wait?: number;
  target?: string;
  uitype?: string;
  data?: string;
}

export interface BillField {
  id: string;
  caption: string;
  dbtype: string;
  type?: string;
  text: string;
  value: string;
  notnull?: boolean;
  maxl?: number;
  minl?: number;
  onlyread?: boolean;
  visible?: boolean;
  source?: unknown;
  [key: string]: unknown;
}

export interface BillGroup {
  id: string;
  caption: string;
  visible?: boolean;
  uitype?: string;
  fields: BillField[];
}

/** BillClass, in `body.bill`: a detail or add form; `value` is the record id. */
export interface Bill {
  id: string;
  caption: string;
  uitype?: string;
  value: string;
  tools?: unknown[];
  groups: BillGroup[];
}

export interface TableColumn {
  id: string;
  dbtype: string;
}

export interface TablePage {
  recordcount: number;
  pagesize: number;
  pagecount: number;
  pageindex: number;
}

/** `source.table`: rows are positional arrays of strings in the order of `cols`. */
export interface SourceTable {
  layout?: unknown;
  cols: TableColumn[];
  rows: string[][];
  page: TablePage;
}

export interface SourceBody {
  type: string;
  uitype?: string;
  text?: string;
  table?: SourceTable;
  options?: Array<{ n: string; v: string }>;
}

export interface ResponseBody {
  model?: string;
  action?: string;
  message?: MessageBody;
  bill?: Bill;
  source?: SourceBody;
  report?: unknown;
  fail?: { message?: string; newrndcode?: string; newappurl?: string };
  sys?: unknown;
  [key: string]: unknown;
}

/** DocumentClass / "ZBDocument". */
export interface ResponseEnvelope {
  header: ResponseHeader;
  body?: ResponseBody;
  post?: unknown;
}

/** Endpoint paths, relative to the base URL. */
export const PATHS = {
  login: '/webapi/v3/ov1/login',
  mobileLogin: '/sysa/mobilephone/login.asp',
  logout: '/sysa/mobilephone/logout.asp',
  contactSave: '/sysa/mobilephone/salesmanage/person/add.asp',
  contactList: '/sysa/mobilephone/salesmanage/person/list.asp',
  followup: '/sysa/mobilephone/systemmanage/reply.asp',
  customerAdd: '/sysa/mobilephone/salesmanage/custom/add.asp',
  customerList: '/sysa/mobilephone/salesmanage/custom/list.asp',
  enumSource: '/sysa/mobilephone/source.asp',
} as const;

/** The runtime's session-state texts (protocol notes §4.2); status 1 carries one of them. */
export const SESSION_MESSAGES = {
  timeout: '会话超时，请您重新登录。',
  notLoggedIn: '非法访问，未登录系统。',
  invalid: '会话无效,数据异常。',
  kickedMobile: '您的账号已在其它移动设备上登录，请您重新登录。',
  kickedPc: '您的账号已在电脑上登录，请您重新登录。',
  loggedOut: '您的账号已经下线退出。',
} as const;
