/**
 * The seed's API tables as data. This file is the only place a field list is written down;
 * everything else (validation, templates, export captions, the emulator's checks) reads it.
 *
 * Source: the vendor's generated API help, transcribed in public docs ("文本，必填，50字以内",
 * "整型", "日期"), see ../shared/erp-protocol.md §3. Where a caption carries spaces
 * (`性 别`, `手 机`, `备　　注`) it is kept as the seed writes it; header matching ignores them.
 */
import type { ApiSpec, EnumOption, FieldSpec } from './types.js';

type Extra = Partial<Omit<FieldSpec, 'id' | 'caption' | 'type'>>;

const text = (id: string, caption: string, maxLength: number | undefined, extra: Extra = {}): FieldSpec => ({
  id, caption, type: 'string', required: false, ...(maxLength ? { maxLength } : {}), ...extra,
});
/** SQL Server `int`: what an integer column holds. */
export const INT_RANGE = { min: -2_147_483_648, max: 2_147_483_647 };
/** Money and other decimals: well within what SQL Server's decimal columns and a double hold exactly. */
export const NUMBER_RANGE = { min: -1e15, max: 1e15 };
/**
 * Dates people enter: 1900–2100. SQL Server's datetime starts in 1753, but Excel's date cells (and
 * so a template's date check) start in 1900; one range for every layer.
 */
export const DATE_RANGE = { min: '1900-01-01', max: '2100-12-31' };

const int = (id: string, caption: string, extra: Extra = {}): FieldSpec => ({
  id, caption, type: 'int', required: false, ...(extra.options ? {} : { range: INT_RANGE }), ...extra,
});
const num = (id: string, caption: string, extra: Extra = {}): FieldSpec => ({
  id, caption, type: 'number', required: false, range: NUMBER_RANGE, ...extra,
});
const datetime = (id: string, caption: string, extra: Extra = {}): FieldSpec => ({
  id, caption, type: 'datetime', required: false, dateRange: DATE_RANGE, ...extra,
});
const date = (id: string, caption: string, extra: Extra = {}): FieldSpec => ({
  id, caption, type: 'date', required: false, dateRange: DATE_RANGE, ...extra,
});
const opts = (pairs: Array<[string, string]>): EnumOption[] => pairs.map(([value, label]) => ({ value, label }));

const ORD_NOTE =
  '数据唯一标识，整型，通用型字段，一般添加新资料时不需要传该字段，修改资料时为对应资料的唯一标识字段值，可从相应的列表接口获取。';

/** 性别: the option value equals its label. */
export const SEX_OPTIONS = opts([['男', '男'], ['女', '女']]);
/** 跟进方式 (enumid=98): ids of the vendor's demo installation. */
export const FOLLOWUP_SORT_OPTIONS = opts([['484', '其他'], ['483', '上门'], ['482', '邮件'], ['481', '电话']]);
/** 日程类型. */
export const PLANTYPE_OPTIONS = opts([['2', '已完成日程'], ['1', '待完成日程'], ['0', '不生成']]);
/** 是否提醒: 0 means remind, as the seed says. */
export const REMIND_OPTIONS = opts([['0', '提醒'], ['1', '不提醒']]);
/** 洽谈进展 templates (选择模板) as the seed lists them; ids in 106–120 of the demo installation. */
export const INTRO_TEMPLATE_OPTIONS = opts([
  ['106', '谈的很好，让发合同。'],
  ['107', '电话无人接听。'],
  ['108', '现在还没考虑。'],
  ['109', '今天谈的不错，让明天面谈。'],
  ['120', '正在考虑中。'],
]);
/** 客户来源 (enumid=13). */
export const CUSTOMER_SOURCE_OPTIONS = opts([['173', '陌生开发'], ['171', '网站注册'], ['977', 'VIP'], ['174', '广告宣传'], ['172', '朋友介绍']]);
/** 客户行业 (enumid=11). */
export const CUSTOMER_TRADE_OPTIONS = opts([['139', '印刷'], ['137', '银行'], ['968', '电表'], ['967', '交流接触器'], ['966', '防水头']]);
/** 价值评估 (enumid=14). */
export const CUSTOMER_VALUE_OPTIONS = opts([['175', '很高'], ['289', '较高'], ['176', '一般'], ['177', '较低'], ['290', '很低']]);

/** 联系人添加: `person/add.asp`, cmdkey `__sys_dosave`. */
export const CONTACT_FIELDS: FieldSpec[] = [
  int('ord', '数据唯一标识', { key: true, note: ORD_NOTE }),
  int('company', '关联客户', { required: true, aliases: ['客户名称', '客户', '客户全称', '所属客户', '公司名称', '公司', '单位名称', '单位'], source: 'mobilephone/salesManage/custom/list.asp?checktype=radio', note: '客户的 ord' }),
  text('person_name', '联系人姓名', 50, { required: true, aliases: ['联系人', '姓名', '联系人名称', '名字'] }),
  text('pym', '拼音码', 50, { aliases: ['拼音', '姓名拼音'] }),
  text('sex', '性 别', 50, { options: SEX_OPTIONS }),
  int('age', '年龄', { range: { min: 0, max: 150 }, aliases: ['岁数'] }),
  datetime('year1', '生日', { aliases: ['出生日期', '出生年月日', '出生年月', '生日日期'] }),
  text('part1', '部门', 50, { aliases: ['所属部门', '部门名称'] }),
  text('job', '职务', 50, { aliases: ['职位', '岗位', '职称', '头衔'] }),
  text('phone', '办公电话', 50, { textual: true, aliases: ['电话', '工作电话', '公司电话', '单位电话', '座机', '固定电话', '固话', '电话号码'] }),
  text('fax', '传真', 50, { textual: true, aliases: ['传真号', '传真号码'] }),
  text('mobile', '手 机', 50, { textual: true, aliases: ['手机号', '手机号码', '移动电话', '手提电话', '手机1'] }),
  text('mobile2', '手机2', 50, { textual: true, aliases: ['备用手机', '第二手机', '手机二'] }),
  text('phone2', '家庭电话', 50, { textual: true, aliases: ['住宅电话', '宅电'] }),
  text('email', '电子邮件', 50, { aliases: ['邮箱', '电子邮箱', 'E-mail', 'Email', 'Mail', '邮件', '邮件地址', '邮箱地址'] }),
  text('qq', 'QQ', 20, { textual: true, aliases: ['QQ号', 'QQ号码'] }),
  text('weixinAcc', '微信', 50, { aliases: ['微信号', '微信账号', 'WeChat'] }),
  text('XiQueIntro', '喜鹊声声', 50),
  text('msn', 'MSN', 50, { aliases: ['MSN账号'] }),
  text('jg', '籍贯', 50),
  text('zip', '邮编', 10, { textual: true, aliases: ['联系人邮编', '邮政编码'] }),
  text('joy', '爱好特长', 3000, { aliases: ['爱好', '特长', '兴趣爱好'] }),
  text('intro', '备　　注', 5000, { aliases: ['备注信息', '联系人备注', '说明'] }),
];

/** 联系人列表 filters: `person/list.asp` (and `?checktype=radio`), cmdkey `refresh`. */
export const CONTACT_LIST_FILTERS: FieldSpec[] = [
  int('stype', '列表模式', { options: opts([['1', '生日提醒']]), note: '默认为空:联系人列表，1:生日提醒' }),
  int('company', '客户ID'),
  text('remind', '提醒类型', undefined, { note: '7:生日提醒（提前天数）' }),
  text('checktype', '关联联系人选择模式', undefined, { options: opts([['radio', '单选']]) }),
  text('person_name', '联系人姓名', undefined, { note: '模糊检索条件' }),
  text('pym', '拼音码', undefined, { note: '模糊检索条件' }),
  text('name', '客户名称', undefined, { note: '模糊检索条件' }),
  text('telsort', '客户分类', undefined, { note: '多选项，逗号隔开' }),
  text('area', '客户区域', undefined, { note: '多选项，逗号隔开' }),
  text('trade', '客户行业', undefined, { note: '多选项，逗号隔开' }),
  text('part1', '部门', undefined, { note: '模糊检索条件' }),
  text('job', '职务', undefined, { note: '模糊检索条件' }),
  text('mobile', '手机', undefined, { note: '模糊检索条件' }),
  text('phone', '办公电话', undefined, { note: '模糊检索条件' }),
  text('fax', '传真', undefined, { note: '模糊检索条件' }),
  text('qq', 'QQ', undefined, { note: '模糊检索条件' }),
  text('email', '电子邮件', undefined, { note: '模糊检索条件' }),
  text('joy', '爱好特长', undefined, { note: '模糊检索条件' }),
  text('intro', '备注', undefined, { note: '模糊检索条件' }),
  text('sex', '性别', undefined, { options: SEX_OPTIONS }),
  date('date1_0', '添加时间（起始日期）'),
  date('date1_1', '添加时间（截止日期）'),
  text('searchKey', '快速检索条件', undefined, { note: '对返回列表中所有文本列进行匹配筛选' }),
  int('pagesize', '每页记录数', { note: '默认为空，则每页显示20条记录' }),
  int('pageindex', '数据页标', { note: '默认为空，则返回第1页数据' }),
  text('_rpt_sort', '排序字段', undefined, { note: '内容为列名称，该内容前加负号表示倒序' }),
];

/** 联系人详情: `person/add.asp?edit=1`, no cmdkey. */
export const CONTACT_DETAIL_PARAMS: FieldSpec[] = [
  text('edit', '修改模式', undefined),
  int('ord', '数据唯一标识', { key: true }),
  text('_insert_rowindex', '_insert_rowindex', undefined),
  text('debug', 'debug', undefined),
];

/** 洽谈进展 for a contact: `systemmanage/reply.asp?datatype=person`, cmdkey `__sys_dosave`. */
export const FOLLOWUP_FIELDS: FieldSpec[] = [
  int('ord', '数据唯一标识', { key: true, note: '联系人的 ord（datatype=person）或客户的 ord（datatype=tel）' }),
  text('intro', '选择模板', 1000, { required: true, options: INTRO_TEMPLATE_OPTIONS, freeText: true, aliases: ['洽谈内容', '洽谈进展', '跟进内容', '沟通内容', '跟进记录', '洽谈记录'] }),
  text('files', '添加附件', 50, { aliases: ['附件'] }),
  int('sort', '跟进方式', { required: true, options: FOLLOWUP_SORT_OPTIONS, source: '/mobilephone/source.asp?enumid=98', aliases: ['沟通方式', '洽谈方式'] }),
  int('plantype', '日程类型', { required: true, options: PLANTYPE_OPTIONS }),
  // 开始时间, 结束时间 and 日程内容 are captions of both schedules: only the aliases tell them apart.
  datetime('@ret2_0', '开始时间', { required: true, requiredWhen: { field: 'plantype', in: ['2'] }, aliases: ['完成开始时间', '已完成日程开始时间'] }),
  datetime('@ret2_1', '结束时间', { required: true, requiredWhen: { field: 'plantype', in: ['2'] }, aliases: ['完成结束时间', '已完成日程结束时间'] }),
  text('@title2', '日程内容', 1000, { required: true, requiredWhen: { field: 'plantype', in: ['2'] }, aliases: ['已完成日程', '已完成日程内容'] }),
  text('@intro2', '完成情况', 1000, { required: true, requiredWhen: { field: 'plantype', in: ['2'] } }),
  text('@cateid', '执行人员', 4000, { requiredWhen: { field: 'plantype', in: ['1'] }, aliases: ['执行人'] }),
  int('@remind', '是否提醒', { required: true, options: REMIND_OPTIONS, requiredWhen: { field: 'plantype', in: ['1'] }, aliases: ['提醒'] }),
  datetime('@ret_0', '开始时间', { required: true, requiredWhen: { field: 'plantype', in: ['1'] }, aliases: ['计划开始时间', '待完成日程开始时间'] }),
  datetime('@ret_1', '结束时间', { required: true, requiredWhen: { field: 'plantype', in: ['1'] }, aliases: ['计划结束时间', '待完成日程结束时间'] }),
  text('@title1', '日程内容', 1000, { required: true, requiredWhen: { field: 'plantype', in: ['1'] }, aliases: ['待办日程', '待完成日程', '待完成日程内容'] }),
];

/** 洽谈进展 for a customer (`datatype=tel`) adds the linked contact. */
export const CUSTOMER_FOLLOWUP_FIELDS: FieldSpec[] = [
  ...FOLLOWUP_FIELDS.slice(0, 4),
  int('lead', '关联联系人', { options: opts([['0', '不关联']]), freeText: true }),
  ...FOLLOWUP_FIELDS.slice(4),
];

/** 单位客户添加: `custom/add.asp?intsort=1`, cmdkey `__sys_dosave` after an ord is allocated. */
export const CUSTOMER_FIELDS: FieldSpec[] = [
  int('ord', '数据唯一标识', { key: true, note: '添加新客户需要传【分配新客户ID】接口返回的标识值' }),
  text('name', '客户名称', 100, { required: true }),
  text('pym', '拼音码', 200),
  text('khid', '客户编号', 50),
  text('sort1', '客户分类', 50, { required: true, note: '来自树结构数据，逗号连接的节点路径' }),
  int('ly', '客户来源', { options: CUSTOMER_SOURCE_OPTIONS, source: '/mobilephone/source.asp?enumid=13' }),
  int('jf2', '是否积分', { options: opts([['1', '积分'], ['0', '不积分']]) }),
  text('area', '客户区域', undefined, { source: 'mobilephone/systemmanage/area_list.asp?stype=radio' }),
  int('trade', '客户行业', { options: CUSTOMER_TRADE_OPTIONS, source: '/mobilephone/source.asp?enumid=11' }),
  int('jz', '价值评估', { options: CUSTOMER_VALUE_OPTIONS, source: '/mobilephone/source.asp?enumid=14' }),
  text('credit', '信用等级', 50),
  text('url', '客户网址', 100),
  text('bz', '客户币种', 50, { options: opts([['14', '人民币']]) }),
  num('hk_xz', '到款限制'),
  text('address', '客户地址', 200),
  text('lng', '经度', 50),
  text('lat', '纬度', 50),
  text('zip', '邮编', 10, { textual: true }),
  text('faren', '法人代表', 50),
  num('zijin', '注册资本'),
  int('pernum1', '人员数量-销售'),
  int('pernum2', '人员数量-技术'),
  datetime('date1', '添加时间'),
  text('person_name', '联系人姓名', 50, { required: true, aliases: ['联系人', '姓名', '联系人名称', '名字'] }),
  text('@personpym', '拼音码', 50),
  text('sex', '性别', undefined, { options: SEX_OPTIONS }),
  int('age', '年龄', { range: { min: 0, max: 150 } }),
  datetime('year1', '生日'),
  text('part1', '部门', 50),
  text('job', '职务', 50),
  text('phone', '办公电话', 50, { textual: true }),
  text('fax', '传真', 50, { textual: true }),
  text('mobile', '手机', 50, { textual: true }),
  text('phone2', '家庭电话', 50, { textual: true }),
  text('email', '电子邮件', 50),
  text('qq', 'QQ', 20, { textual: true }),
  text('weixinAcc', '微信', 50),
  text('XiQueIntro', '喜鹊声声', 50),
  text('msn', 'MSN', 50),
  text('jg', '籍贯', 50),
  text('product', '客户简介', 4000),
  text('c2', '合作现状', 4000),
  text('c3', '合作前景', 4000),
  text('c4', '跟进策略', 4000),
  text('intro', '备注', 4000),
  text('bank_1', '开户银行1', 50),
  text('bank_2', '开户名称1', 50),
  text('bank_7', '银行行号1', 50),
  text('bank_3', '银行账号1', 50, { textual: true }),
  text('bank_4', '税号1', 50, { textual: true }),
  text('bank_5', '地址1', 50),
  text('bank_6', '电话1', 50, { textual: true }),
  text('bank2_1', '开户银行2', 50),
  text('bank2_2', '开户名称2', 50),
  text('bank2_7', '银行行号2', 50),
  text('bank2_3', '银行账号2', 50, { textual: true }),
  text('bank2_4', '税号2', 50, { textual: true }),
  text('bank2_5', '地址2', 50),
  text('bank2_6', '电话2', 50, { textual: true }),
  int('fkdays', '账期'),
  int('fkdate', '结算日期', { options: opts([['1', '1'], ['2', '2'], ['3', '3'], ['4', '4'], ['5', '5']]) }),
];

/** 客户列表 filters: `custom/list.asp` (and `?checktype=radio`), cmdkey `refresh`. */
export const CUSTOMER_LIST_FILTERS: FieldSpec[] = [
  text('datatype', '列表模式', undefined, { note: '默认为空:全部，addcontract：添加合同选择客户模式' }),
  text('stype', '数据模式', undefined, { note: '默认为空:客户列表，1：客户池，2：待审核客户，3：已保护客户，4：已共享客户，5：被共享客户' }),
  int('remind', '提醒类型', { note: '147：最新客户' }),
  text('tjly', '统计来源', undefined),
  text('tdate1', '领用开始日期', undefined),
  text('tdate2', '领用结束日期', undefined),
  text('checktype', '关联客户选择模式', undefined, { options: opts([['radio', '单选']]) }),
  text('telsort', '客户分类', undefined),
  text('Ismode', '供应商总览标识', undefined),
  text('a_cateid', '销售人员', undefined),
  text('khjz', '客户价值评估', undefined),
  text('khhy', '客户行业', undefined),
  text('khly', '客户来源', undefined),
  text('a_date_0', '添加开始日期', undefined),
  text('a_date_1', '添加结束日期', undefined),
  text('telord', '客户id', undefined),
  text('name', '客户名称', undefined, { note: '模糊检索条件' }),
  text('pym', '拼音码', undefined, { note: '模糊检索条件' }),
  text('khid', '客户编号', undefined, { note: '模糊检索条件' }),
  text('phone', '办公电话', undefined, { note: '模糊检索条件' }),
  text('fax', '传真', undefined, { note: '模糊检索条件' }),
  text('url', '客户网址', undefined, { note: '模糊检索条件' }),
  int('catetype', '人员类型'),
  text('cateid', '人员选择', undefined, { note: '多选项，逗号隔开' }),
  text('ly', '客户来源', undefined, { note: '多选项，逗号隔开' }),
  text('jz', '价值评估', undefined, { note: '多选项，逗号隔开' }),
  text('area', '客户区域', undefined, { note: '多选项，逗号隔开' }),
  text('trade', '客户行业', undefined, { note: '多选项，逗号隔开' }),
  text('address', '客户地址', undefined, { note: '模糊检索条件' }),
  text('zip', '邮编', undefined, { note: '模糊检索条件' }),
  text('intro', '备注', undefined, { note: '模糊检索条件' }),
  date('date1_0', '添加时间（起始日期）'),
  date('date1_1', '添加时间（截止日期）'),
  text('searchKey', '快速检索条件', undefined),
  int('pagesize', '每页记录数'),
  int('pageindex', '数据页标'),
  text('_rpt_sort', '排序字段', undefined),
];

/** 系统登录: `/webapi/v3/ov1/login` or `/sysa/mobilephone/login.asp`. */
export const LOGIN_FIELDS: FieldSpec[] = [
  text('user', '用户名', undefined, { required: true, note: '明文需加前缀 txt:' }),
  text('password', '用户名密码', undefined, { required: true, note: '明文需加前缀 txt:' }),
  text('serialnum', '用户串号', 20, { required: true, note: '20位以内数字或字母' }),
  text('rndcode', '随机验证码', undefined, { note: '失败超过3次后需要' }),
];

export const APIS = {
  login: { name: 'login', title: '系统登录', path: '/webapi/v3/ov1/login', fields: LOGIN_FIELDS },
  contactSave: { name: 'contactSave', title: '联系人添加', path: '/sysa/mobilephone/salesmanage/person/add.asp', cmdkey: '__sys_dosave', fields: CONTACT_FIELDS },
  contactDetail: { name: 'contactDetail', title: '联系人详情', path: '/sysa/mobilephone/salesmanage/person/add.asp?edit=1', fields: CONTACT_DETAIL_PARAMS },
  contactList: { name: 'contactList', title: '联系人列表', path: '/sysa/mobilephone/salesmanage/person/list.asp', cmdkey: 'refresh', fields: CONTACT_LIST_FILTERS },
  followupSave: { name: 'followupSave', title: '洽谈进展', path: '/sysa/mobilephone/systemmanage/reply.asp?datatype=person', cmdkey: '__sys_dosave', fields: FOLLOWUP_FIELDS },
  customerFollowupSave: { name: 'customerFollowupSave', title: '客户跟进', path: '/sysa/mobilephone/systemmanage/reply.asp?datatype=tel', cmdkey: '__sys_dosave', fields: CUSTOMER_FOLLOWUP_FIELDS },
  customerSave: { name: 'customerSave', title: '单位客户添加', path: '/sysa/mobilephone/salesmanage/custom/add.asp?intsort=1', cmdkey: '__sys_dosave', fields: CUSTOMER_FIELDS },
  customerList: { name: 'customerList', title: '客户列表', path: '/sysa/mobilephone/salesmanage/custom/list.asp', cmdkey: 'refresh', fields: CUSTOMER_LIST_FILTERS },
} satisfies Record<string, ApiSpec>;
