import { describe, expect, it } from 'vitest';
import { langFromEnv, localize, resolveLang, rowReason, say } from './lang.js';

describe('language', () => {
  it('follows the locale: Chinese or none → both, English (and others) → en; ZBPORT_LANG and --lang first', () => {
    expect(langFromEnv({})).toBe('both');
    expect(langFromEnv({ LANG: 'zh_CN.UTF-8' })).toBe('both');
    expect(langFromEnv({ LANG: 'C.UTF-8' })).toBe('both');
    expect(langFromEnv({ LANG: 'en_US.UTF-8' })).toBe('en');
    expect(langFromEnv({ LANG: 'en_US.UTF-8', LC_ALL: 'zh_CN.UTF-8' })).toBe('both');
    expect(langFromEnv({ LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: 'en_GB.UTF-8' })).toBe('en');
    expect(langFromEnv({ LANG: 'en_US.UTF-8', ZBPORT_LANG: 'zh' })).toBe('zh');
    expect(resolveLang('en', { LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(resolveLang('ZH', {})).toBe('zh');
    expect(resolveLang(undefined, { LANG: 'en_US' })).toBe('en');
  });

  it('says a pair in the language asked for', () => {
    expect(say('读取', 'reading', 'both')).toBe('读取 / reading');
    expect(say('读取', 'reading', 'zh')).toBe('读取');
    expect(say('读取', 'reading', 'en')).toBe('reading');
    expect(rowReason({ zh: '生日不是有效日期', en: '生日 (year1) is not a valid date' }, 'both')).toBe('生日不是有效日期');
    expect(rowReason({ zh: '生日不是有效日期', en: '生日 (year1) is not a valid date' }, 'en')).toBe('生日 (year1) is not a valid date');
  });

  // [message as written, Chinese only, English only]
  const CASES: Array<[string, string, string]> = [
    ['文件不存在 / file not found', '文件不存在', 'file not found'],
    ['zbport: x/联系人.xlsx: 文件不存在 / file not found', 'zbport: x/联系人.xlsx: 文件不存在', 'zbport: x/联系人.xlsx: file not found'],
    ['  登录 / login: ok (/webapi/v3/ov1/login)，ERP 版本 / ERP version: 32.16', '  登录：ok (/webapi/v3/ov1/login)，ERP 版本：32.16', '  login: ok (/webapi/v3/ov1/login), ERP version: 32.16'],
    ['zbport doctor: http://127.0.0.1:8088（只读，不写入任何数据 / read only, nothing is written）', 'zbport doctor: http://127.0.0.1:8088（只读，不写入任何数据）', 'zbport doctor: http://127.0.0.1:8088 (read only, nothing is written)'],
    ['读取 a.xlsx（与 b-*.xlsx 匹配的最新文件）/ reading a.xlsx, the newest file matching b-*.xlsx', '读取 a.xlsx（与 b-*.xlsx 匹配的最新文件）', 'reading a.xlsx, the newest file matching b-*.xlsx'],
    ['没有名为“客户”的工作表 / no sheet `客户`', '没有名为“客户”的工作表', 'no sheet `客户`'],
    // The data after the English colon goes along with the Chinese.
    ['文件已存在，不会覆盖 / the output file exists and is never replaced: exports/a.xlsx', '文件已存在，不会覆盖：exports/a.xlsx', 'the output file exists and is never replaced: exports/a.xlsx'],
    ['无法读取 / cannot read (EACCES)', '无法读取（EACCES）', 'cannot read (EACCES)'],
    ['ERP 返回的列 / columns the ERP returned (联系人列表):', 'ERP 返回的列（联系人列表）：', 'columns the ERP returned (联系人列表):'],
    // A subject before the Chinese belongs to the English too.
    ['pipelines/a.yaml 已存在，不会覆盖 / exists and is not replaced', 'pipelines/a.yaml 已存在，不会覆盖', 'pipelines/a.yaml exists and is not replaced'],
    ['mapping.mobile：可选列 `微信` 不在文件中 / optional column `微信` is not in the file', 'mapping.mobile：可选列 `微信` 不在文件中', 'mapping.mobile: optional column `微信` is not in the file'],
    // A slash between names is data.
    ['文件中没有 `联系人` / `姓名` 列 / no column `联系人` / `姓名`', '文件中没有 `联系人` / `姓名` 列', 'no column `联系人` / `姓名`'],
    ['第 3 行：手机号 / row 3: the mobile', '第 3 行：手机号', 'row 3: the mobile'],
    // Several lines, each on its own.
    ['连接失败 / cannot connect\n  稍后再试 / try later', '连接失败\n  稍后再试', 'cannot connect\n  try later'],
  ];
  it.each(CASES)('%s', (text, zh, en) => {
    expect(localize(text, 'both')).toBe(text);
    expect(localize(text, 'zh')).toBe(zh);
    expect(localize(text, 'en')).toBe(en);
  });

  // When the part kept would lose data, both stay.
  const KEPT: Array<[string, 'zh' | 'en']> = [
    ['找不到主机 / cannot resolve the host of http://a.example (ENOTFOUND)', 'zh'],
    ['第 3 行无效 / the row is not valid', 'en'],
    ['English only, no Chinese', 'en'],
    ['中文而已', 'en'],
  ];
  it.each(KEPT)('keeps %s whole in %s', (text, l) => {
    expect(localize(text, l)).toBe(text);
  });

  it('leaves unbalanced brackets and overlong lines as they are', () => {
    const open = `${'（'.repeat(1500)}中 / ${'('.repeat(400)}en`;
    expect(localize(open, 'en')).toBe(`${'('.repeat(400)}en`);
    const long = `${'中'.repeat(3000)} / ${'e'.repeat(3000)}`;
    expect(localize(long, 'zh')).toBe(long);
  });
});
